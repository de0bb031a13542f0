using System.Security.Cryptography;

namespace SmsGateway.Host.Access;

/// <summary>SHA-256 of each configured admin key, compared in constant time (every key is compared, match or not).</summary>
internal sealed class AdminKeyHashes(IEnumerable<string> keys)
{
    private readonly byte[][] _hashes = [.. keys.Select(ApiKeySecret.Hash)];

    public bool Contains(ReadOnlySpan<byte> presented)
    {
        var found = false;
        foreach (var hash in _hashes)
        {
            found |= CryptographicOperations.FixedTimeEquals(hash, presented);
        }

        return found;
    }
}
