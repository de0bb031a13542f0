namespace SmsGateway.Access;

/// <summary>
/// <see cref="IAccountRateLimiter"/> of the embedded profile: GCRA buckets in one dictionary under one lock (a bucket
/// update is a few arithmetic operations). Buckets that are full again are dropped when the map grows past 100 000 entries.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class InMemoryAccountRateLimiter(TimeProvider? clock = null) : IAccountRateLimiter
{
    private const int SweepAt = 100_000;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, double> _tats = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public ValueTask<RateDecision> AcquireAsync(IReadOnlyList<RateRule> rules, int cost, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rules.Count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        var now = (double)_clock.GetUtcNow().ToUnixTimeMilliseconds();
        Span<double> newTats = rules.Count <= 8 ? stackalloc double[rules.Count] : new double[rules.Count];
        lock (_gate)
        {
            RateDecision? reported = null;
            for (var i = 0; i < rules.Count; i++)
            {
                _tats.TryGetValue(rules[i].Key, out var tat);
                var (newTat, decision) = Gcra.Evaluate(tat, now, rules[i], cost);
                newTats[i] = newTat;
                reported = reported is null ? decision : Gcra.Tighter(reported.Value, decision);
            }

            if (reported!.Value.Allowed)
            {
                if (_tats.Count > SweepAt)
                {
                    foreach (var stale in _tats.Where(kv => kv.Value <= now).Select(kv => kv.Key).ToList())
                    {
                        _tats.Remove(stale);
                    }
                }

                for (var i = 0; i < rules.Count; i++)
                {
                    _tats[rules[i].Key] = newTats[i];
                }
            }

            return ValueTask.FromResult(reported.Value);
        }
    }
}
