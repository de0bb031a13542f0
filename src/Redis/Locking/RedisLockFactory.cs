using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedLockNet.SERedis;
using RedLockNet.SERedis.Configuration;
using SmsGateway.Locking;
using StackExchange.Redis;
using RedLockStatus = RedLockNet.RedLockStatus;

namespace SmsGateway.Redis;

/// <summary>
/// <see cref="SmsGateway.Locking.IDistributedLockFactory"/> on RedLock.net (https://github.com/samcook/RedLock.net): RedLock.net
/// acquires (SET NX PX on every lock node, quorum N/2+1, validity = ttl − elapsed − drift), extends in the background
/// every ttl/2 and releases (compare-and-delete). This class adds what the library lacks:
/// <list type="bullet">
/// <item>the fencing token, issued by the ledger node (the store that checks it) while the grant is valid
/// (Scripts/lock-fence.lua; ledger-reserve.lua rejects a token lower than the last one it accepted);</item>
/// <item>a validity deadline that a lost or late extension cannot hide (<see cref="RedisLockGrant"/>);</item>
/// <item>jittered retries that stop at once when fewer than a quorum of lock nodes are connected;</item>
/// <item>an in-process queue per resource (<see cref="LocalGates"/>), so local contention costs no Redis traffic.</item>
/// </list>
/// </summary>
/// <remarks>
/// Each attempt is one RedLock.net acquire (its own retry count set to 1) timed here, because the library does not
/// expose when the winning attempt started, and the validity deadline (so the fencing guarantee) depends on it.
/// Token order: grant B can only be acquired once grant A's keys expired or were released; A's token was issued before
/// A's validity deadline, so before B's acquire and B's token, and the ledger's counter only grows. Thread-safe.
/// </remarks>
internal sealed class RedisLockFactory : SmsGateway.Locking.IDistributedLockFactory, IDisposable
{
    /// <summary>RedLock.net's smallest ttl (it raises smaller ones to this).</summary>
    internal static readonly TimeSpan MinimumExpiry = TimeSpan.FromMilliseconds(10);

    private readonly Task<(RedLockFactory Factory, ConnectionMultiplexer[] Nodes)> _redLock;
    private readonly Task<ConnectionMultiplexer> _fenceStore;
    private readonly RedisOptions _options;
    private readonly ILogger _logger;
    private readonly int _quorum;
    private readonly LocalGates _gates = new();

    /// <param name="nodes">The lock nodes' connections (independent masters).</param>
    /// <param name="fenceStore">The ledger node's connection, which issues fencing tokens.</param>
    /// <param name="options">Key prefix and fencing counter ttl.</param>
    /// <param name="loggerFactory">For RedLock.net's own log (a failed extension is logged there as a warning) and this class's.</param>
    public RedisLockFactory(Task<ConnectionMultiplexer[]> nodes, Task<ConnectionMultiplexer> fenceStore, RedisOptions options, ILoggerFactory loggerFactory)
    {
        _fenceStore = fenceStore;
        _options = options;
        _logger = loggerFactory.CreateLogger<RedisLockFactory>();
        _quorum = (options.LockEndpoints.Count / 2) + 1;
        var keyFormat = options.KeyPrefix + "lock:{{{0}}}"; // sms:lock:{user:123}
        _redLock = CreateAsync(nodes, keyFormat, loggerFactory);

        static async Task<(RedLockFactory, ConnectionMultiplexer[])> CreateAsync(Task<ConnectionMultiplexer[]> nodes, string keyFormat, ILoggerFactory loggerFactory)
        {
            var connected = await nodes.ConfigureAwait(false);
            var factory = RedLockFactory.Create(
                [.. connected.Select(n => new RedLockMultiplexer(n) { RedisKeyFormat = keyFormat })],
                new RedLockRetryConfiguration(retryCount: 1), // the wait/retry loop is ours, see remarks
                loggerFactory);
            return (factory, connected);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="resource"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expiry"/> below 10 ms, <paramref name="wait"/> negative or <paramref name="retry"/> not positive.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting; nothing is left locked.</exception>
    public async Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentOutOfRangeException.ThrowIfLessThan(expiry, MinimumExpiry);
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retry, TimeSpan.Zero);

        var deadline = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);

        // Local contenders queue in-process first; only the head of the queue talks to the nodes.
        var gate = await _gates.EnterAsync(resource, wait, cancellationToken).ConfigureAwait(false);
        if (gate is null)
        {
            RedisLog.LockNotAcquired(_logger, resource, DistributedLockStatus.Conflicted, 0);
            return RedisLockGrant.NotAcquired(resource, string.Empty, DistributedLockStatus.Conflicted);
        }

        try
        {
            var grant = await AcquireAsync(resource, expiry, deadline, retry, cancellationToken).ConfigureAwait(false);
            if (grant.IsAcquired)
            {
                grant.OnEnd(gate.Release);
            }
            else
            {
                gate.Release();
            }

            return grant;
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    public void Dispose()
    {
        if (_redLock.IsCompletedSuccessfully)
        {
            _redLock.Result.Factory.Dispose();
        }
    }

    private async Task<RedisLockGrant> AcquireAsync(string resource, TimeSpan expiry, long deadline, TimeSpan retry, CancellationToken cancellationToken)
    {
        var (redLockFactory, nodes) = await _redLock.ConfigureAwait(false);
        var attempts = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            attempts++;
            var started = Stopwatch.GetTimestamp();
            var redLock = await redLockFactory.CreateLockAsync(resource, expiry).ConfigureAwait(false);
            if (redLock.IsAcquired)
            {
                // Not retried without a token: the ledger node missed a whole call, and another attempt would cost one more
                // lock round and one more ledger call, more than any caller waits (docs/architecture.md "Redis calls that fail").
                return await FenceAsync(redLock, started, expiry).ConfigureAwait(false)
                    ?? NotAcquired(resource, redLock.LockId, DistributedLockStatus.NoQuorum, attempts);
            }

            // A failed attempt was already released on every node by RedLock.net, and it has no timer to stop.
            var status = Map(redLock.Status);
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero || (status == DistributedLockStatus.NoQuorum && nodes.Count(n => n.IsConnected) < _quorum))
            {
                return NotAcquired(resource, redLock.LockId, status, attempts);
            }

            var pause = retry * (0.5 + Random.Shared.NextDouble());
            await Task.Delay(pause < left ? pause : left, cancellationToken).ConfigureAwait(false);
        }
    }

    private RedisLockGrant NotAcquired(string resource, string lockId, DistributedLockStatus status, int attempts)
    {
        RedisLog.LockNotAcquired(_logger, resource, status, attempts);
        return RedisLockGrant.NotAcquired(resource, lockId, status);
    }

    /// <summary>The fencing counter's key for <paramref name="resource"/> on the ledger node.</summary>
    internal string FenceKey(string resource) => _options.KeyPrefix + "fence:{" + resource + "}";

    private static DistributedLockStatus Map(RedLockStatus status) => status switch
    {
        RedLockStatus.Acquired => DistributedLockStatus.Acquired,
        RedLockStatus.Conflicted => DistributedLockStatus.Conflicted,
        RedLockStatus.NoQuorum => DistributedLockStatus.NoQuorum,
        RedLockStatus.Expired => DistributedLockStatus.Expired,
        _ => DistributedLockStatus.Unlocked,
    };

    /// <summary>Issues the token; null (and the lock released) when the ledger node failed or answered after the grant's validity.</summary>
    /// <remarks>Every path without a grant disposes <paramref name="redLock"/>: an undisposed RedLock.net lock keeps extending its
    /// keys from a timer for as long as the process runs, so its user would be refused (Conflicted) until a restart
    /// (docs/architecture.md "Redis calls that fail").</remarks>
    private async Task<RedisLockGrant?> FenceAsync(RedLockNet.IRedLock redLock, long started, TimeSpan expiry)
    {
        var validUntil = RedisLockGrant.Deadline(started, expiry, extensions: 0);
        RedisLockGrant? grant = null;
        string failure = "the fencing call ended without a token";
        try
        {
            var fenceStore = (await _fenceStore.ConfigureAwait(false)).GetDatabase();
            var token = (long)await LuaScripts.LockFence.EvaluateAsync(fenceStore, [FenceKey(redLock.Resource)], [_options.FenceCounterTtlMs]).ConfigureAwait(false);
            if (Stopwatch.GetTimestamp() < validUntil)
            {
                grant = new RedisLockGrant(redLock, token, started, expiry, _logger);
                return grant;
            }

            // Another holder may have been granted the lock (and a token) meanwhile; this token proves nothing.
            failure = "the fencing token came after the grant's validity";
        }
        catch (Exception ex) when (RedisCallFailure.Is(ex))
        {
            failure = $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            if (grant is null)
            {
                RedisLog.FenceFailed(_logger, redLock.Resource, failure);
                await redLock.DisposeAsync().ConfigureAwait(false);
            }
        }

        return null;
    }
}
