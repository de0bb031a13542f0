namespace SmsGateway.Transport.InMemory;

/// <summary>
/// Remembers publish de-duplication ids for at least the duplicate window (and at most twice it), like JetStream's
/// duplicate window.
/// </summary>
/// <remarks>
/// Thread-safe. Ids are spread over lock-striped shards, and each shard keeps two generations that swap once a window
/// has passed (the older one is cleared and reused), so forgetting old ids costs no scan and no re-growth. This replaced
/// one <c>ConcurrentDictionary</c> with a time per id and a periodic full scan, whose lock contention and table growth
/// showed in profiles of the embedded graph (three publishes per message).
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
        var shard = ShardOf(id);
        long now = Environment.TickCount64;
        lock (shard)
        {
            if (now - shard.GenerationStart >= _windowMs)
            {
                (shard.Previous, shard.Current) = (shard.Current, shard.Previous);
                shard.Current.Clear();
                shard.GenerationStart = now;
            }

            return !shard.Previous.Contains(id) && shard.Current.Add(id);
        }
    }

    /// <summary>Forgets <paramref name="id"/> (its publish failed, so a retry must not be taken for a duplicate).</summary>
    public void Forget(string id)
    {
        var shard = ShardOf(id);
        lock (shard)
        {
            shard.Current.Remove(id);
            shard.Previous.Remove(id);
        }
    }

    private Shard ShardOf(string id) => _shards[(uint)StringComparer.Ordinal.GetHashCode(id) % (uint)_shards.Length];

    private sealed class Shard
    {
        public HashSet<string> Current = new(StringComparer.Ordinal);
        public HashSet<string> Previous = new(StringComparer.Ordinal);
        public long GenerationStart = Environment.TickCount64;
    }
}
