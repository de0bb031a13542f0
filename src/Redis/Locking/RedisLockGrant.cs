using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedLockNet;
using SmsGateway.Locking;

namespace SmsGateway.Redis;

/// <summary>
/// A grant from <see cref="RedisLockFactory"/>: a RedLock.net lock (extended by RedLock.net in the background every ttl/2)
/// plus its fencing token and a validity deadline.
/// </summary>
/// <remarks>
/// RedLock.net reports a failed extension only by changing <c>IRedLock.Status</c>, and a timer that never ran (process
/// paused, thread pool starved) changes nothing at all. So <see cref="Status"/> reads
/// <see cref="DistributedLockStatus.Expired"/> as soon as either RedLock.net's status is no longer Acquired or the
/// deadline passed. The deadline counts only extensions that happened: the k-th successful one was sent no earlier
/// than k·ttl/2 after the attempt started (RedLock.net's timer period), so the keys live at least until
/// start + k·ttl/2 + ttl − drift, drift = ttl·0.01 + 2 ms (RedLock.net's own). The deadline matters because RedLock.net's
/// extension script re-creates a key that already lapsed, so after a pause its status can read Acquired again although
/// another holder may have held the lock (with a newer token) meanwhile. A loss is final: once seen, the grant stays
/// Expired and is released at once, so RedLock.net's timer stops re-taking the keys. Callers check
/// <see cref="IDistributedLock.IsAcquired"/> right before each fenced write; the ledger rejects a stale token anyway.
/// The first time a loss is seen it is logged (event 3122). Thread-safe.
/// </remarks>
internal sealed class RedisLockGrant : IDistributedLock
{
    private readonly IRedLock? _redLock;
    private readonly DistributedLockStatus _failedStatus;
    private readonly long _started;
    private readonly TimeSpan _ttl;
    private readonly ILogger? _logger;
    private int _lost;
    private int _disposed;
    private Action? _onEnd;

    public RedisLockGrant(IRedLock redLock, long fencingToken, long started, TimeSpan ttl, ILogger logger)
    {
        _redLock = redLock;
        Resource = redLock.Resource;
        LockId = redLock.LockId;
        FencingToken = fencingToken;
        _started = started;
        _ttl = ttl;
        _logger = logger;
        _failedStatus = DistributedLockStatus.Acquired;
    }

    private RedisLockGrant(string resource, string lockId, DistributedLockStatus status)
    {
        Resource = resource;
        LockId = lockId;
        _failedStatus = status;
    }

    public string Resource { get; }

    public string LockId { get; }

    public long FencingToken { get; }

    public bool IsAcquired => Status == DistributedLockStatus.Acquired;

    public DistributedLockStatus Status
    {
        get
        {
            if (_redLock is null)
            {
                return _failedStatus;
            }

            if (Volatile.Read(ref _disposed) != 0)
            {
                return DistributedLockStatus.Unlocked;
            }

            if (Volatile.Read(ref _lost) != 0)
            {
                return DistributedLockStatus.Expired;
            }

            // Status before ExtendCount: RedLock.net sets Status, then counts the extension.
            var inner = _redLock.Status;
            if (inner != RedLockStatus.Acquired)
            {
                return Lost($"extension failed ({inner}, {_redLock.InstanceSummary})");
            }

            return Stopwatch.GetTimestamp() < ValidUntilTimestamp() ? DistributedLockStatus.Acquired : Lost("validity time passed without an extension");
        }
    }

    public DateTimeOffset ValidUntil
    {
        get
        {
            if (_redLock is null)
            {
                return DateTimeOffset.MinValue;
            }

            return DateTimeOffset.UtcNow + Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), ValidUntilTimestamp());
        }
    }

    /// <summary>Held, and valid for at least <paramref name="duration"/> more by the deadline of the remarks (Stopwatch clock).</summary>
    public bool IsValidFor(TimeSpan duration) =>
        IsAcquired && Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency) <= ValidUntilTimestamp();

    /// <summary>Runs <paramref name="onEnd"/> once, when the grant is disposed or seen lost (whichever comes first).</summary>
    public void OnEnd(Action onEnd) => _onEnd = onEnd;

    public static RedisLockGrant NotAcquired(string resource, string lockId, DistributedLockStatus status) => new(resource, lockId, status);

    /// <summary>The Stopwatch timestamp until which a grant whose attempt started at <paramref name="started"/> is valid after
    /// <paramref name="extensions"/> successful extensions: started + extensions·ttl/2 + ttl − (ttl·0.01 + 2 ms).</summary>
    internal static long Deadline(long started, TimeSpan ttl, int extensions)
    {
        var valid = (ttl / 2 * extensions) + ttl - ((ttl * 0.01) + TimeSpan.FromMilliseconds(2));
        return started + (long)(valid.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Stops RedLock.net's extension timer and releases the lock on every node (compare-and-delete).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_redLock is null || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _redLock.DisposeAsync().ConfigureAwait(false);
        Interlocked.Exchange(ref _onEnd, null)?.Invoke();
    }

    private long ValidUntilTimestamp() => Deadline(_started, _ttl, _redLock!.ExtendCount);

    private DistributedLockStatus Lost(string reason)
    {
        if (Interlocked.Exchange(ref _lost, 1) == 0)
        {
            RedisLog.LockLost(_logger!, Resource, reason);
            _ = ReleaseLostAsync();
        }

        return DistributedLockStatus.Expired;
    }

    /// <summary>Stops RedLock.net's timer and deletes this holder's keys (compare-and-delete; RedLock.net logs node failures).</summary>
    private async Task ReleaseLostAsync()
    {
        try
        {
            await _redLock!.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisCallFailure.Is(ex))
        {
            RedisLog.LockReleaseFailed(_logger!, ex, Resource);
        }
        finally
        {
            Interlocked.Exchange(ref _onEnd, null)?.Invoke();
        }
    }
}
