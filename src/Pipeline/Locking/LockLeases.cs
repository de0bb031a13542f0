using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SmsGateway.Locking;

/// <summary>
/// Keeps a resource's lock grant (and its fencing token) across uses while traffic flows, instead of one acquire and one
/// release per use (docs/architecture.md "User lock lease"): the first use acquires a grant from the wrapped
/// <see cref="IDistributedLockFactory"/> (Redlock in the full profile, the in-memory table in the embedded one); later uses
/// in this process reuse it while it stays valid for <see cref="PipelineOptions.LockLeaseMargin"/> more. Uses of one
/// resource run one at a time (as the lock itself guaranteed when each use took it). The grant is released once the
/// resource was idle for <see cref="PipelineOptions.LockLeaseIdle"/>, by the use that ends after
/// <see cref="PipelineOptions.LockLeaseMaxHold"/>, and by <see cref="DisposeAsync"/>, so another process can take it; after
/// a maximum-hold release this process waits 2 × <see cref="PipelineOptions.LockRetry"/> before taking the resource again,
/// so a contender that retries every ~LockRetry gets it (a hand-over, not a race the holder always wins).
/// </summary>
/// <remarks>
/// Fencing is unchanged: every use carries the grant's token, and the ledger rejects a token older than one it saw. A kept
/// grant that is no longer held when a use starts (extension failed, validity ran out, quorum lost) is never handed out:
/// the loss is logged (event 7400) and counted (<c>sms.lock.leases</c>, outcome <c>lost</c>), and the use acquires a new
/// grant. A grant still held but with less than the margin left is released and replaced (outcome <c>renewed</c>).
/// Thread-safe. A <see cref="LockLease"/> must be disposed exactly once (it ends the use, not the grant).
/// </remarks>
public sealed class LockLeases : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly IDistributedLockFactory _locks;
    private readonly TimeSpan _expiry;
    private readonly TimeSpan _wait;
    private readonly TimeSpan _retry;
    private readonly TimeSpan _idle;
    private readonly TimeSpan _maxHold;
    private readonly TimeSpan _margin;
    private readonly TimeSpan _handOver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PipelineMetrics? _metrics;
    private readonly ITimer? _sweeper;
    private int _sweeping;
    private volatile bool _disposed;

    /// <summary>Creates the leases over <paramref name="locks"/>; leasing is off (every use acquires and releases) when
    /// <see cref="PipelineOptions.LockLeaseIdle"/> is zero.</summary>
    /// <param name="locks">Issues the grants.</param>
    /// <param name="options">Lock expiry, wait and retry, and the lease idle time, maximum hold and margin (validated here).</param>
    /// <param name="time">Clock of the idle and hold times and of the idle sweep (every quarter of the shorter of the idle time
    /// and the maximum hold, at least 5 ms).</param>
    /// <param name="logger">Receives events 7400-7404.</param>
    /// <param name="metrics">Counts <c>sms.lock.leases</c> by outcome; null counts nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public LockLeases(IDistributedLockFactory locks, PipelineOptions options, TimeProvider time, ILogger logger, PipelineMetrics? metrics = null)
    {
        _locks = locks ?? throw new ArgumentNullException(nameof(locks));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _expiry = options.LockExpiry;
        _wait = options.LockWait;
        _retry = options.LockRetry;
        _idle = options.LockLeaseIdle;
        _maxHold = options.LockLeaseMaxHold;
        _margin = options.LockLeaseMargin;
        _handOver = options.LockRetry * 2; // longer than a contender's jittered retry pause (0.5-1.5 × LockRetry)
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics;
        if (_idle > TimeSpan.Zero)
        {
            // A quarter of the shorter bound: a grant leaves at most this late, which a contender's LockWait must cover.
            var shorter = _idle < _maxHold ? _idle : _maxHold;
            var period = shorter / 4 < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : shorter / 4;
            _sweeper = _time.CreateTimer(static s => ((LockLeases)s!).Sweep(), this, period, period);
        }
    }

    /// <summary>Grants currently kept (held or being checked).</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Starts a use of <paramref name="resource"/>: waits (up to <see cref="PipelineOptions.LockWait"/>) until no other use
    /// of it runs in this process, then reuses the kept grant or acquires a new one. Check <see cref="LockLease.IsAcquired"/>.
    /// </summary>
    /// <param name="resource">Lock name, e.g. <c>user:123</c>.</param>
    /// <param name="cancellationToken">Cancels the waiting (e.g. the accept deadline).</param>
    /// <returns>The use (await it once); dispose it when the fenced work is done. Not acquired: <see cref="DistributedLockStatus.Conflicted"/>
    /// when another use kept the resource past the wait, otherwise the failed grant's status.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting in this process.</exception>
    /// <exception cref="LockAcquisitionCancelledException"><paramref name="cancellationToken"/> fired while a new grant was being
    /// acquired: that acquisition then ends in the background, the resource's next use waits for it, and a grant it wins is
    /// kept for that use.</exception>
    /// <remarks>After <see cref="DisposeAsync"/> a use still works, but acquires its own grant and releases it when it ends
    /// (a batch that races the pipeline's stop is served, not failed).</remarks>
    public async ValueTask<LockLease> UseAsync(string resource, CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        Entry entry;
        while (true)
        {
            entry = _entries.GetOrAdd(resource, static r => new Entry(r));
            if (!await entry.Gate.WaitAsync(Left(start), cancellationToken).ConfigureAwait(false))
            {
                return new LockLease(this, null, null, DistributedLockStatus.Conflicted, acquired: false, waitedOut: true);
            }

            if (!entry.Removed)
            {
                break;
            }

            entry.Gate.Release(); // swept between the lookup and the wait: take the entry that replaced it
        }

        bool gateHandedOver = false; // to an acquisition that outlived the caller's wait (AdoptLateAsync)
        try
        {
            if (entry.Grant is { } kept)
            {
                if (kept.IsValidFor(_margin) && _time.GetElapsedTime(entry.AcquiredAt) < _maxHold)
                {
                    _metrics?.LockLease("reused");
                    return new LockLease(this, entry, kept, DistributedLockStatus.Acquired, acquired: false);
                }

                if (kept.IsAcquired)
                {
                    _metrics?.LockLease("renewed");
                }
                else
                {
                    _metrics?.LockLease("lost");
                    LockLeaseLog.Lost(_logger, resource, kept.FencingToken, kept.Status, entry.Uses, _time.GetElapsedTime(entry.AcquiredAt).TotalMilliseconds);
                }

                await ReleaseGrantAsync(entry).ConfigureAwait(false);
            }

            var handOver = entry.HandOverUntil - _time.GetTimestamp();
            if (handOver > 0)
            {
                // Just released after the maximum hold: let a contender of another process, retrying every ~LockRetry, in first.
                await Task.Delay(TimeSpan.FromSeconds((double)handOver / _time.TimestampFrequency), _time, cancellationToken).ConfigureAwait(false);
            }

            long asked = _time.GetTimestamp();
            var acquiring = _locks.CreateLockAsync(resource, _expiry, Left(start), _retry, cancellationToken);
            IDistributedLock grant;
            try
            {
                grant = await acquiring.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
            {
                gateHandedOver = true;
                var outcome = AdoptLateAsync(entry, acquiring);
                throw new LockAcquisitionCancelledException(_time.GetElapsedTime(start, asked), outcome, ex, cancellationToken);
            }

            if (!grant.IsAcquired)
            {
                var status = grant.Status; // read before disposing, which may turn it into Unlocked
                await grant.DisposeAsync().ConfigureAwait(false);
                return new LockLease(this, entry, null, status, acquired: false);
            }

            _metrics?.LockLease("acquired");
            entry.Grant = grant;
            entry.AcquiredAt = _time.GetTimestamp();
            entry.Uses = 0;
            return new LockLease(this, entry, grant, DistributedLockStatus.Acquired, acquired: true);
        }
        catch when (!gateHandedOver)
        {
            entry.Gate.Release();
            throw;
        }
    }

    // An acquisition the caller stopped waiting for (its cancellation token fired while a lock node or the ledger node was
    // slow; the lock calls in flight cannot be cancelled). It ends here, holding the resource's gate, so the caller is
    // answered at its deadline and the next use of the resource waits for this one's outcome: a grant it won is kept for that
    // use, like any lease (released when idle or after the maximum hold); anything else is released. Returns the grant's
    // status (read before disposing), or null when the factory threw; never faults.
    private async Task<DistributedLockStatus?> AdoptLateAsync(Entry entry, Task<IDistributedLock> acquiring)
    {
        try
        {
            var grant = await acquiring.ConfigureAwait(false);
            var status = grant.Status;
            if (grant.IsAcquired && !_disposed && _idle > TimeSpan.Zero)
            {
                _metrics?.LockLease("acquired");
                entry.Grant = grant;
                entry.AcquiredAt = entry.LastUsed = _time.GetTimestamp();
                entry.Uses = 0;
            }
            else
            {
                await grant.DisposeAsync().ConfigureAwait(false);
            }

            return status;
        }
        catch (OperationCanceledException ex)
        {
            LockLeaseLog.LateAcquireCancelled(_logger, ex, entry.Resource); // the factory saw the caller's token between attempts
            return null;
        }
        catch (Exception ex)
        {
            LockLeaseLog.LateAcquireFailed(_logger, ex, entry.Resource);
            return null;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Releases every kept grant (pipeline drain) and stops the idle sweep; a use still running releases its grant
    /// when it ends. Logs event 7402.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_sweeper is not null)
        {
            await _sweeper.DisposeAsync().ConfigureAwait(false);
        }

        var releases = new List<Task<int>>();
        foreach (var entry in _entries.Values)
        {
            if (entry.Gate.Wait(0))
            {
                releases.Add(RemoveAsync(entry, "released_stop"));
            }
        }

        LockLeaseLog.ReleasedAll(_logger, (await Task.WhenAll(releases).ConfigureAwait(false)).Sum());
    }

    /// <summary>Ends a use: stamps the entry's last use; releases the grant when leasing is off, the maximum hold passed,
    /// the use discarded it (its token was refused), or this instance is disposed.</summary>
    internal async ValueTask EndAsync(Entry entry, bool discard)
    {
        try
        {
            entry.Uses++;
            entry.LastUsed = _time.GetTimestamp();
            if (_disposed || _idle == TimeSpan.Zero)
            {
                await RemoveAsync(entry, _disposed ? "released_stop" : null).ConfigureAwait(false);
                return;
            }

            if (entry.Grant is not null && (discard || _time.GetElapsedTime(entry.AcquiredAt) >= _maxHold))
            {
                _metrics?.LockLease(discard ? "discarded" : "released_max_hold");
                await ReleaseGrantAsync(entry).ConfigureAwait(false);
                if (!discard)
                {
                    entry.HandOverUntil = _time.GetTimestamp() + (long)(_handOver.TotalSeconds * _time.TimestampFrequency);
                }
            }
        }
        finally
        {
            if (!entry.Removed)
            {
                entry.Gate.Release();
            }
        }
    }

    // Not awaited by the timer: releases leases idle for _idle (or held past the maximum) whose gate is free right now.
    private void Sweep()
    {
        if (_disposed || Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        _ = SweepAsync();
    }

    // The releases of one sweep run together, not one after another. A release waits for every lock node, and a frozen node
    // holds it for a whole node timeout; in sequence, the grants queued behind it outlived half their expiry, and
    // RedLock.net's extension of a grant that old is synchronous: it blocked pool threads until the process starved
    // (docs/architecture.md "Redis calls that fail").
    private async Task SweepAsync()
    {
        try
        {
            List<Task<int>>? releases = null;
            foreach (var entry in _entries.Values)
            {
                if (_disposed || !entry.Gate.Wait(0))
                {
                    continue;
                }

                bool idle = _time.GetElapsedTime(entry.LastUsed) >= _idle;
                if (idle || (entry.Grant is not null && _time.GetElapsedTime(entry.AcquiredAt) >= _maxHold))
                {
                    (releases ??= []).Add(RemoveAsync(entry, entry.Grant is null ? null : idle ? "released_idle" : "released_max_hold"));
                }
                else
                {
                    entry.Gate.Release();
                }
            }

            if (releases is not null)
            {
                await Task.WhenAll(releases).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    // Called holding the entry's gate: releases its grant and drops the entry; waiters that already found it look it up again.
    // Returns 1 when a grant was released.
    private async Task<int> RemoveAsync(Entry entry, string? outcome)
    {
        entry.Removed = true;
        _entries.TryRemove(new KeyValuePair<string, Entry>(entry.Resource, entry));
        try
        {
            if (entry.Grant is null)
            {
                return 0;
            }

            if (outcome is not null)
            {
                _metrics?.LockLease(outcome);
            }

            await ReleaseGrantAsync(entry).ConfigureAwait(false);
            return 1;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task ReleaseGrantAsync(Entry entry)
    {
        var grant = entry.Grant;
        entry.Grant = null;
        if (grant is null)
        {
            return;
        }

        try
        {
            await grant.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The grant's keys expire by themselves within the lock expiry; the next holder's token is newer either way.
            LockLeaseLog.ReleaseFailed(_logger, ex, entry.Resource);
        }
    }

    private TimeSpan Left(long start)
    {
        var left = _wait - _time.GetElapsedTime(start);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>One resource's kept grant; the fields are read and written only while holding <see cref="Gate"/>.</summary>
    internal sealed class Entry(string resource)
    {
        public string Resource => resource;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public IDistributedLock? Grant { get; set; }

        public long AcquiredAt { get; set; }

        public long LastUsed { get; set; }

        public int Uses { get; set; }

        /// <summary>Timestamp before which this process does not take the resource again (set by a maximum-hold release).</summary>
        public long HandOverUntil { get; set; }

        /// <summary>Set (under the gate) when the entry left the table; a use that waited on it looks the resource up again.</summary>
        public volatile bool Removed;
    }
}
