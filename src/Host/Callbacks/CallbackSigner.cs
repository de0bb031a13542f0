using System.Security.Cryptography;

namespace SmsGateway.Host.Callbacks;

/// <summary>Signs callback bodies: <c>X-Signature: sha256=&lt;lower-case hex HMAC-SHA256 of the raw body under the account's callback secret&gt;</c>.</summary>
public static class CallbackSigner
{
    /// <summary>The header name.</summary>
    public const string Header = "X-Signature";

    /// <summary>The header value for <paramref name="body"/> under <paramref name="secret"/> (UTF-8 bytes of the secret as the key).</summary>
    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Checks a received header in constant time (for receivers written in .NET, and the tests).</summary>
    public static bool Verify(ReadOnlySpan<byte> body, string secret, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Sign(body, secret)), System.Text.Encoding.ASCII.GetBytes(header));
}
