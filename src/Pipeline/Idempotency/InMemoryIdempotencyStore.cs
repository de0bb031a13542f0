using System.Collections.Concurrent;

namespace SmsGateway.Idempotency;

/// <summary>The embedded idempotency store: keys with expiry in a concurrent dictionary.</summary>
/// <remarks>Thread-safe. Expired keys are dropped lazily when touched and by a sweep every minute.</remarks>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore, IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;

    /// <summary>Creates the store; <paramref name="timeProvider"/> defaults to the system clock.</summary>
    public InMemoryIdempotencyStore(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _sweep = _time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <inheritdoc />
    public ValueTask<IdempotencyClaim> TryClaimAsync(string key, string fingerprint, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        while (true)
        {
            var fresh = new Entry(fingerprint, null, now + ttl);
            var existing = _entries.GetOrAdd(key, fresh);
            if (ReferenceEquals(existing, fresh))
            {
                return ValueTask.FromResult(new IdempotencyClaim(IdempotencyState.Claimed));
            }

            if (existing.ExpiresAt <= now)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, existing));
                continue;
            }

            var claim = existing.Fingerprint != fingerprint ? new IdempotencyClaim(IdempotencyState.Mismatch)
                : existing.Response is null ? new IdempotencyClaim(IdempotencyState.InProgress)
                : new IdempotencyClaim(IdempotencyState.Completed, existing.Response);
            return ValueTask.FromResult(claim);
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string key, StoredResponse response, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(key, out var e))
        {
            _entries[key] = e with { Response = response, ExpiresAt = _time.GetUtcNow() + ttl };
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(string key, CancellationToken cancellationToken)
    {
        _entries.TryRemove(key, out _);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _sweep.Dispose();

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var (k, e) in _entries)
        {
            if (e.ExpiresAt <= now)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(k, e));
            }
        }
    }

    private sealed record Entry(string Fingerprint, StoredResponse? Response, DateTimeOffset ExpiresAt);
}
