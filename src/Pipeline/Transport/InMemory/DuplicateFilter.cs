using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace SmsGateway.Transport.InMemory;

/// <summary>
/// Remembers publish de-duplication ids for at least the duplicate window (at most twice it while publishes keep coming),
/// like JetStream's duplicate window.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Ids are spread over lock-striped shards, and each shard keeps two generations that swap once a window
/// has passed (the older one is cleared and reused), so forgetting old ids costs no scan and no re-growth. This replaced
/// one <c>ConcurrentDictionary</c> with a time per id and a periodic full scan, whose lock contention and table growth
/// showed in profiles of the embedded graph (three publishes per message).</para>
/// <para>An id is kept as its 128-bit XxHash128 (System.IO.Hashing), not as the string: the filter then holds no
/// reference, so the ids of a 2-minute window (millions at full speed) neither survive into the older GC generations nor
/// get scanned by the collector (bench/README.md "Duplicate ids as 128-bit hashes"), and one hash of the id picks the shard
/// and the set entry. Two different ids are taken for one with probability about n² / 2¹²⁹ for n ids in the window
/// (below 10⁻²² for 10⁸ ids); the later publish would then be dropped as a duplicate.</para>
/// </remarks>
internal sealed class DuplicateFilter
{
    private readonly Shard[] _shards;
    private readonly long _windowMs;

    public DuplicateFilter(TimeSpan window)
    {
        _windowMs = Math.Max(1, (long)window.TotalMilliseconds);
        _shards = new Shard[Math.Max(8, Environment.ProcessorCount * 8)];
        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard();
        }
    }

    /// <summary>True the first time <paramref name="id"/> is seen within the window; false for a duplicate.</summary>
    public bool FirstSighting(string id)
    {
        var key = KeyOf(id);
        var shard = ShardOf(key);
        long now = Environment.TickCount64;
        lock (shard)
        {
            if (now - shard.GenerationStart >= _windowMs)
            {
                (shard.Previous, shard.Current) = (shard.Current, shard.Previous);
                shard.Current.Clear();
                shard.GenerationStart = now;
            }

            return !shard.Previous.Contains(key) && shard.Current.Add(key);
        }
    }

    /// <summary>Forgets <paramref name="id"/> (its publish failed, so a retry must not be taken for a duplicate).</summary>
    public void Forget(string id)
    {
        var key = KeyOf(id);
        var shard = ShardOf(key);
        lock (shard)
        {
            shard.Current.Remove(key);
            shard.Previous.Remove(key);
        }
    }

    private static IdHash KeyOf(string id)
    {
        var hash = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(id.AsSpan()));
        return new IdHash((ulong)hash, (ulong)(hash >> 64));
    }

    private Shard ShardOf(IdHash key) => _shards[(uint)key.High % (uint)_shards.Length];

    private sealed class Shard
    {
        public HashSet<IdHash> Current = [];
        public HashSet<IdHash> Previous = [];
        public long GenerationStart = Environment.TickCount64;
    }

    // The 128-bit hash as two 8-byte halves: a set entry of 24 bytes, where UInt128's 16-byte alignment makes it 32. The
    // bits are already uniform, so the low half serves as the hash code and the high half picks the shard.
    private readonly struct IdHash(ulong low, ulong high) : IEquatable<IdHash>
    {
        public ulong Low { get; } = low;

        public ulong High { get; } = high;

        public bool Equals(IdHash other) => Low == other.Low && High == other.High;

        public override bool Equals(object? obj) => obj is IdHash other && Equals(other);

        public override int GetHashCode() => (int)Low;
    }
}
