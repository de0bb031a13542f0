using System.Security.Cryptography;
using System.Text;

namespace SmsGateway.Host.Access;

/// <summary>
/// The API key format <c>sgw_{keyId}_{secret}</c>: a key id (<c>k</c> + 16 hex digits, looked up in the store) and a
/// 256-bit random secret (base64url). Only SHA-256 of the secret is stored; a fast hash is enough for a high-entropy
/// secret (no dictionary to attack), and comparison is constant-time.
/// </summary>
public static class ApiKeySecret
{
    private const string Prefix = "sgw_";

    /// <summary>A new key: its id, the full key to show once, and the hash to store.</summary>
    public static (string KeyId, string ApiKey, byte[] Hash) Create()
    {
        var keyId = "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"{Prefix}{keyId}_{secret}", Hash(secret));
    }

    /// <summary>Splits a presented key; false when it does not have the format. <paramref name="secret"/> is a slice of
    /// <paramref name="token"/>; only the key id is copied into a string (the store is looked up by it).</summary>
    public static bool TryParse(ReadOnlySpan<char> token, out string keyId, out ReadOnlySpan<char> secret)
    {
        keyId = "";
        secret = default;
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var separator = token[Prefix.Length..].IndexOf('_') + Prefix.Length;
        if (separator != Prefix.Length + 17 || token.Length - separator - 1 is < 16 or > 128)
        {
            return false;
        }

        keyId = token[Prefix.Length..separator].ToString();
        secret = token[(separator + 1)..];
        return true;
    }

    /// <summary>SHA-256 of the UTF-8 bytes of <paramref name="secret"/>.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>
    /// SHA-256 of the UTF-8 bytes of <paramref name="secret"/> into <paramref name="hash"/> (32 bytes), without allocating
    /// for secrets up to 1 KiB (a presented key is at most 4,096 characters; longer ones rent a buffer).
    /// </summary>
    public static void Hash(ReadOnlySpan<char> secret, Span<byte> hash)
    {
        var length = Encoding.UTF8.GetMaxByteCount(secret.Length);
        byte[]? rented = length > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[1024];
        try
        {
            var written = Encoding.UTF8.GetBytes(secret, utf8);
            SHA256.HashData(utf8[..written], hash);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    /// <summary>Constant-time comparison of two hashes.</summary>
    public static bool Matches(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual) => CryptographicOperations.FixedTimeEquals(expected, actual);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
