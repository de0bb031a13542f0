using System.Security.Cryptography;

namespace SmsGateway.Transports.Nats.Client.Internal;

/// <summary>Random unique tokens for inbox subjects (22 base-62 characters, like the NATS clients' NUID).</summary>
internal static class Nuid
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A new random token.</summary>
    public static string Next() => RandomNumberGenerator.GetString(Alphabet, 22);
}
