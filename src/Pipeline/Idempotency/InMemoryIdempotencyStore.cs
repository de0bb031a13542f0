using System.Collections.Concurrent;

namespace SmsGateway.Idempotency;

/// <summary>The embedded idempotency store: keys with expiry in a concurrent dictionary, at most <see cref="MaxKeys"/> of them.</summary>
/// <remarks>Thread-safe. Expired keys are dropped lazily when touched and by a sweep every minute. When the store is full a
/// new key is refused with <see cref="IdempotencyStoreUnavailableException"/> (the host answers 503 with Retry-After)
/// rather than growing without bound; keys already held keep working.</remarks>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore, IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;
    private int _count;

    /// <summary>Creates the store; <paramref name="timeProvider"/> defaults to the system clock.</summary>
    /// <param name="timeProvider">Clock of the expiries.</param>
    /// <param name="maxKeys">Most keys held at once (default 1,000,000: about 200 MB with stored 202 answers).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxKeys"/> is below 1.</exception>
    public InMemoryIdempotencyStore(TimeProvider? timeProvider = null, int maxKeys = 1_000_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        MaxKeys = maxKeys;
        _time = timeProvider ?? TimeProvider.System;
        _sweep = _time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>Most keys held at once.</summary>
    public int MaxKeys { get; }

    /// <inheritdoc />
    /// <exception cref="IdempotencyStoreUnavailableException">The store holds <see cref="MaxKeys"/> unexpired keys.</exception>
    public ValueTask<IdempotencyClaim> TryClaimAsync(string key, string fingerprint, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        while (true)
        {
            if (!_entries.TryGetValue(key, out var existing))
            {
                ReserveRoom();
                var fresh = new Entry(fingerprint, null, now + ttl);
                existing = _entries.GetOrAdd(key, fresh);
                if (ReferenceEquals(existing, fresh))
                {
                    return ValueTask.FromResult(new IdempotencyClaim(IdempotencyState.Claimed));
                }

                Interlocked.Decrement(ref _count); // another caller added the key first
            }

            if (existing.ExpiresAt <= now)
            {
                Remove(key, existing);
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
        if (_entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _count);
        }

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
                Remove(k, e);
            }
        }
    }

    private void Remove(string key, Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    // Counts the key about to be added; when full, sweeps expired keys once, then refuses.
    private void ReserveRoom()
    {
        if (Interlocked.Increment(ref _count) <= MaxKeys)
        {
            return;
        }

        Interlocked.Decrement(ref _count);
        Sweep();
        if (Interlocked.Increment(ref _count) > MaxKeys)
        {
            Interlocked.Decrement(ref _count);
            throw new IdempotencyStoreUnavailableException($"the in-memory idempotency store holds its maximum of {MaxKeys} keys; retry later");
        }
    }

    private sealed record Entry(string Fingerprint, StoredResponse? Response, DateTimeOffset ExpiresAt);
}
