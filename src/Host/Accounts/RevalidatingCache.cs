using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SmsGateway.Status;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Copies of store rows read on the accept path: a copy younger than <see cref="StoreCacheOptions.Ttl"/> is served as it
/// is; for an older one (up to <see cref="StoreCacheOptions.StaleLimit"/>) one read per key refreshes it and callers wait
/// for that read at most <see cref="StoreCacheOptions.ColdWait"/> from its start, then get the held copy; after a failed
/// read the held copy is served at once for <see cref="StoreCacheOptions.RetryInterval"/> (stale-if-error, RFC 5861
/// section 4). So a change made through another gateway (a blocked number) takes effect within the TTL while the store
/// answers, and an outage costs at most ColdWait per key per retry interval. A key with no usable copy waits for the
/// store, at most <see cref="StoreCacheOptions.ColdWait"/>, and is refused with
/// <see cref="StatusStoreUnavailableException"/> past it or while its last read failed less than
/// <see cref="StoreCacheOptions.RetryInterval"/> ago, within the accept path's 1-s promise (README "Store outages on the
/// accept path").
/// </summary>
/// <remarks>
/// Thread-safe. At most one read per key is in flight; concurrent callers share it. A failed read is counted
/// (<c>sms.store_cache.read_failures</c>) and logged once per outage (event 7510, then 7511 when a read succeeds again).
/// The read delegate gets the previous copy (possibly older than the stale limit) so that it can skip work when the
/// store's version did not change; it must not depend on the caller's cancellation (the read is shared) and should be
/// bounded by the store's own timeout.
/// </remarks>
/// <typeparam name="TKey">The key (a user id, a list name, ...).</typeparam>
/// <typeparam name="TValue">The copy.</typeparam>
public sealed class RevalidatingCache<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, Slot> _slots = new();
    private readonly string _name;
    private readonly StoreCacheOptions _options;
    private readonly Func<TKey, TValue?, Task<TValue>> _read;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _episodeLock = new();
    private long _failuresInEpisode;
    private DateTimeOffset _episodeStart;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="name">The cache's name in logs and metrics (<c>account_settings</c>, <c>block_lists</c>, <c>templates</c>).</param>
    /// <param name="options">Timings; validated here.</param>
    /// <param name="read">Reads the key's row from the store, given the previous copy or null; throws
    /// <see cref="StatusStoreUnavailableException"/> when the store is unreachable.</param>
    /// <param name="logger">Where the outage events go.</param>
    /// <param name="time">The clock (tests); <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="options"/> are invalid.</exception>
    public RevalidatingCache(string name, StoreCacheOptions options, Func<TKey, TValue?, Task<TValue>> read, ILogger logger, TimeProvider? time = null)
    {
        _name = name;
        _options = options.Validate();
        _read = read;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The timings in force.</summary>
    public StoreCacheOptions Options => _options;

    /// <summary>The key's copy: at once when younger than the TTL; past it, the refreshed copy or, when the store fails or is
    /// slower than ColdWait, the held one; with no copy, read from the store.</summary>
    /// <exception cref="StatusStoreUnavailableException">No usable copy is held and the store failed, did not answer within
    /// <see cref="StoreCacheOptions.ColdWait"/>, or failed less than <see cref="StoreCacheOptions.RetryInterval"/> ago.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting (the read goes on).</exception>
    public ValueTask<TValue> GetAsync(TKey key, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var slot = _slots.TryGetValue(key, out var held) ? held : Add(key);
        Task<TValue> read;
        lock (slot)
        {
            if (slot.Value is { } value && now - slot.ReadAt < _options.StaleLimit)
            {
                if (now - slot.ReadAt < _options.Ttl)
                {
                    return ValueTask.FromResult(value);
                }

                // Past its TTL: the refresh is waited for (a change made on another gateway, such as a blocked number,
                // takes effect within the TTL while the store answers), but never longer than ColdWait from the refresh's
                // start; a store that failed or is slow gets the held copy instead (stale-if-error, RFC 5861 section 4).
                if (slot.Read is null && now - slot.FailedAt < _options.RetryInterval)
                {
                    StoreCacheMetrics.StaleServed(_name);
                    return ValueTask.FromResult(value);
                }

                if (slot.Read is null)
                {
                    slot.Read = StartRead(key, slot);
                    slot.ReadStartedAt = now;
                }

                var left = _options.ColdWait - (now - slot.ReadStartedAt);
                if (left <= TimeSpan.Zero)
                {
                    StoreCacheMetrics.StaleServed(_name);
                    return ValueTask.FromResult(value);
                }

                return new ValueTask<TValue>(WaitStaleAsync(slot.Read, value, left, cancellationToken));
            }

            if (slot.Read is null && now - slot.FailedAt < _options.RetryInterval)
            {
                StoreCacheMetrics.Refused(_name);
                return ValueTask.FromException<TValue>(new StatusStoreUnavailableException(
                    $"{_name}: the store failed {(now - slot.FailedAt).TotalMilliseconds:0} ms ago and no copy of {key} is held"));
            }

            if (slot.Read is null)
            {
                slot.Read = StartRead(key, slot);
                slot.ReadStartedAt = now;
            }

            read = slot.Read;
        }

        return new ValueTask<TValue>(WaitColdAsync(key, read, cancellationToken));
    }

    /// <summary>Drops the key's copy (after a write through this process), so that the next call reads the store.</summary>
    public void Invalidate(TKey key) => _slots.TryRemove(key, out _);

    private Slot Add(TKey key)
    {
        if (_slots.Count >= _options.MaxEntries)
        {
            _slots.Clear();
        }

        return _slots.GetOrAdd(key, static _ => new Slot());
    }

    // The refresh's value when it comes within `left`; otherwise the held copy (the failure was logged and counted in Failed).
    private async Task<TValue> WaitStaleAsync(Task<TValue> read, TValue held, TimeSpan left, CancellationToken cancellationToken)
    {
        try
        {
            return await read.WaitAsync(left, _time, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            StoreCacheMetrics.StaleServed(_name);
            return held;
        }
    }

    private async Task<TValue> WaitColdAsync(TKey key, Task<TValue> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read.WaitAsync(_options.ColdWait, _time, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            StoreCacheMetrics.Refused(_name);
            throw new StatusStoreUnavailableException($"{_name}: the store did not answer for {key} within {_options.ColdWait.TotalMilliseconds:0} ms", ex);
        }
        catch (StatusStoreUnavailableException)
        {
            StoreCacheMetrics.Refused(_name);
            throw;
        }
    }

    // Under the slot's lock. The read runs on the thread pool so that a store whose call blocks before its first await
    // cannot hold the caller (and with it the lock). Its failure is logged in Failed; the continuation only observes it,
    // since a background refresh has no waiter.
    private Task<TValue> StartRead(TKey key, Slot slot)
    {
        var read = ReadAsync(key, slot, slot.Value);
        _ = read.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return read;
    }

    private Task<TValue> ReadAsync(TKey key, Slot slot, TValue? previous) =>
        Task.Run(async () =>
        {
            try
            {
                var value = await _read(key, previous);
                lock (slot)
                {
                    slot.Value = value;
                    slot.ReadAt = _time.GetUtcNow();
                    slot.FailedAt = DateTimeOffset.MinValue;
                    slot.Read = null;
                }

                EndEpisode();
                return value;
            }
            catch (Exception ex)
            {
                lock (slot)
                {
                    slot.FailedAt = _time.GetUtcNow();
                    slot.Read = null;
                }

                Failed(ex);
                throw;
            }
        });

    private void Failed(Exception ex)
    {
        StoreCacheMetrics.ReadFailed(_name);
        lock (_episodeLock)
        {
            if (_failuresInEpisode++ == 0)
            {
                _episodeStart = _time.GetUtcNow();
                StoreCacheLog.StoreUnreachable(_logger, _name, _options.StaleLimit.TotalSeconds, _options.ColdWait.TotalMilliseconds, ex);
            }
        }
    }

    private void EndEpisode()
    {
        if (Interlocked.Read(ref _failuresInEpisode) == 0)
        {
            return;
        }

        lock (_episodeLock)
        {
            if (_failuresInEpisode > 0)
            {
                StoreCacheLog.StoreReachable(_logger, _name, _failuresInEpisode, (_time.GetUtcNow() - _episodeStart).TotalSeconds);
                _failuresInEpisode = 0;
            }
        }
    }

    // Mutable state of one key, guarded by locking the slot itself.
    private sealed class Slot
    {
        public TValue? Value;
        public DateTimeOffset ReadAt;
        public DateTimeOffset FailedAt = DateTimeOffset.MinValue;
        public Task<TValue>? Read;
        public DateTimeOffset ReadStartedAt;
    }
}
