using System.Diagnostics;
using SmsGateway.Locking;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// A Redlock grant (or a failed attempt). Status is computed from a monotonic clock: past the validity time it reads
/// <see cref="DistributedLockStatus.Expired"/> and <see cref="Lost"/> is cancelled (a timer fires at that instant).
/// Optional auto-extension runs every ttl/3; a failed extension is reported the same way. Thread-safe.
/// </summary>
internal sealed class Redlock : IRedisLock
{
    private readonly RedlockFactory? _factory;
    private readonly RedisKey[] _keys = [];
    private readonly TimeSpan _ttl;
    private readonly DistributedLockStatus _failedStatus;
    private readonly CancellationTokenSource? _lost;
    private readonly CancellationTokenSource? _stop;
    private readonly Task _extender = Task.CompletedTask;
    private readonly object _gate = new();
    private long _validUntilTimestamp;
    private bool _released;
    private string? _lostReason;
    private Action? _onEnd;

    public Redlock(RedlockFactory factory, string resource, RedisKey[] keys, string lockId, TimeSpan ttl, long fencingToken, long validUntilTimestamp)
    {
        _factory = factory;
        Resource = resource;
        LockId = lockId;
        _keys = keys;
        _ttl = ttl;
        FencingToken = fencingToken;
        _failedStatus = DistributedLockStatus.Acquired;
        _validUntilTimestamp = validUntilTimestamp;
        _lost = new CancellationTokenSource();
        Lost = _lost.Token;
        _lost.Token.Register(static state => ((Redlock)state!).OnLost(), this);
        ScheduleLoss(validUntilTimestamp);
        if (factory.Options.LockAutoExtend)
        {
            _stop = new CancellationTokenSource();
            _extender = Task.Run(() => ExtendLoopAsync(_stop.Token));
        }
    }

    private Redlock(string resource, string lockId, DistributedLockStatus failedStatus)
    {
        Resource = resource;
        LockId = lockId;
        _failedStatus = failedStatus;
        Lost = CancellationToken.None;
    }

    public string Resource { get; }

    public string LockId { get; }

    public long FencingToken { get; }

    public CancellationToken Lost { get; }

    public bool IsAcquired => Status == DistributedLockStatus.Acquired;

    public DistributedLockStatus Status
    {
        get
        {
            if (_lost is null)
            {
                return _failedStatus;
            }

            lock (_gate)
            {
                if (_lost.IsCancellationRequested)
                {
                    return DistributedLockStatus.Expired;
                }

                if (_released)
                {
                    return DistributedLockStatus.Unlocked;
                }

                if (Stopwatch.GetTimestamp() >= _validUntilTimestamp)
                {
                    // The timer is about to fire (or is late); the grant is already worthless.
                    return DistributedLockStatus.Expired;
                }

                return DistributedLockStatus.Acquired;
            }
        }
    }

    public DateTimeOffset ValidUntil
    {
        get
        {
            if (_lost is null)
            {
                return DateTimeOffset.MinValue;
            }

            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Volatile.Read(ref _validUntilTimestamp));
            return DateTimeOffset.UtcNow + left;
        }
    }

    /// <summary>Runs <paramref name="onEnd"/> once, when the grant is disposed or lost (whichever comes first).</summary>
    public void OnEnd(Action onEnd)
    {
        _onEnd = onEnd;
        if (Lost.IsCancellationRequested)
        {
            onEnd();
        }
    }

    public static Redlock NotAcquired(string resource, string lockId, DistributedLockStatus status) => new(resource, lockId, status);

    public async Task<bool> ExtendAsync(CancellationToken cancellationToken)
    {
        if (_factory is null || Status != DistributedLockStatus.Acquired)
        {
            return false;
        }

        var started = Stopwatch.GetTimestamp();
        RedisKey[] lockKey = [_keys[0]];
        RedisValue[] args = [LockId, (long)_ttl.TotalMilliseconds];
        var replies = await Task.WhenAll(_factory.Nodes.Select(n => n.EvaluateAsync(Resource, LuaScripts.LockExtend, lockKey, args, cancellationToken))).ConfigureAwait(false);
        var extended = replies.Count(r => r.Answered && r.Value == 1);
        var refused = replies.Count(r => r.Answered && r.Value != 1);
        var validUntil = RedlockFactory.ValidUntil(started, _ttl);
        lock (_gate)
        {
            if (_released || _lost!.IsCancellationRequested)
            {
                return false;
            }

            if (extended >= _factory.Quorum && Stopwatch.GetTimestamp() < validUntil && Stopwatch.GetTimestamp() < _validUntilTimestamp)
            {
                _validUntilTimestamp = validUntil;
                ScheduleLoss(validUntil);
                return true;
            }

            // Nodes that merely did not answer (slow, suspended) may answer the next try: give up only once too many
            // refused for a quorum to remain, or the grant has run out; the scheduled loss still fires at the old validity.
            if (refused <= _factory.Nodes.Count - _factory.Quorum && Stopwatch.GetTimestamp() < _validUntilTimestamp)
            {
                return true;
            }
        }

        MarkLost($"extension reached {extended} of {_factory.Nodes.Count} nodes (quorum {_factory.Quorum})");
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_released)
            {
                return;
            }

            _released = true;
            _lost!.CancelAfter(Timeout.InfiniteTimeSpan);
        }

        if (_stop is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _extender.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }

        await _factory.ReleaseAllAsync(Resource, _keys, LockId).ConfigureAwait(false);
        Volatile.Read(ref _onEnd)?.Invoke();
    }

    private void ScheduleLoss(long validUntilTimestamp)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), validUntilTimestamp);
        _lost!.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }

    private void MarkLost(string reason)
    {
        lock (_gate)
        {
            if (_released || _lost!.IsCancellationRequested)
            {
                return;
            }

            _lostReason = reason;
        }

        _lost.Cancel();
    }

    private void OnLost()
    {
        RedisLog.LockLost(_factory!.Logger, Resource, _lostReason ?? "validity time passed");
        Volatile.Read(ref _onEnd)?.Invoke();
    }

    private async Task ExtendLoopAsync(CancellationToken stop)
    {
        var period = _ttl / 3;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(period, stop).ConfigureAwait(false);
                if (!await ExtendAsync(stop).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // disposed
        }
    }
}
