using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using SmsGateway.Locking;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// Redlock over N independent Redis masters (https://redis.io/docs/latest/develop/use/patterns/distributed-locks/),
/// shaped like RedLock.net, with a fencing token per grant.
/// </summary>
/// <remarks>
/// One attempt: <c>SET key value NX PX ttl</c> (plus the fencing counter, Scripts/lock-acquire.lua) on every node in
/// parallel, each limited to <see cref="RedisOptions.LockNodeTimeoutMs"/>; the attempt ends as soon as a quorum
/// (N/2+1) granted it or a quorum became impossible, so one slow or frozen node adds no latency. Validity =
/// ttl − elapsed − drift, drift = ttl·0.01 + 2 ms. A failed attempt is released on every node (compare-and-delete)
/// and retried after a jittered pause until <c>wait</c> has passed. When a quorum is out of reach (nodes whose
/// connection is down, or suspended after timing out twice in a row) the wait ends at once with
/// <see cref="DistributedLockStatus.NoQuorum"/>, so an unavailable lock fails fast.
/// <para>Fencing token: each node's counter for the resource is incremented by the acquire (a missing counter starts at
/// the node's clock in µs); the grant's token is the largest value of its quorum, and every quorum node whose value
/// was smaller is raised to it before the grant is reported (Scripts/lock-fence.lua). Any later grant's quorum
/// intersects this one on a raised node, so its token is strictly larger.</para>
/// <para>Callers in this process that want the same resource queue on an in-process gate first (released when the
/// grant is disposed or lost), so local contention costs no Redis traffic.</para>
/// Thread-safe.
/// </remarks>
internal sealed class RedlockFactory : IDistributedLockFactory
{
    private readonly LockNode[] _nodes;
    private readonly RedisOptions _options;
    private readonly ILogger _logger;
    private readonly LocalGates _gates = new();

    public RedlockFactory(IReadOnlyList<LockNode> nodes, RedisOptions options, ILogger logger)
    {
        if (nodes.Count == 0)
        {
            throw new ArgumentException("Redlock needs at least one node", nameof(nodes));
        }

        _nodes = [.. nodes];
        _options = options;
        _logger = logger;
        Quorum = (_nodes.Length / 2) + 1;
    }

    /// <summary>Nodes that must grant a lock: N/2+1.</summary>
    public int Quorum { get; }

    internal IReadOnlyList<LockNode> Nodes => _nodes;

    internal ILogger Logger => _logger;

    internal RedisOptions Options => _options;

    public async Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
        => await CreateRedisLockAsync(resource, expiry, wait, retry, cancellationToken).ConfigureAwait(false);

    /// <summary>Like <see cref="CreateLockAsync"/> but typed as <see cref="IRedisLock"/>.</summary>
    public async Task<IRedisLock> CreateRedisLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        if (expiry <= TimeSpan.FromMilliseconds(2))
        {
            throw new ArgumentOutOfRangeException(nameof(expiry), expiry, "lock ttl must be more than 2 ms");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retry, TimeSpan.Zero);

        var keys = Keys(resource);
        var lockId = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var deadline = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);

        // Local contenders queue in-process first; only the head of the queue talks to the nodes.
        var gate = await _gates.EnterAsync(resource, wait, cancellationToken).ConfigureAwait(false);
        if (gate is null)
        {
            RedisLog.LockNotAcquired(_logger, resource, DistributedLockStatus.Conflicted, 0);
            return Redlock.NotAcquired(resource, lockId, DistributedLockStatus.Conflicted);
        }

        try
        {
            var grant = await AcquireAsync(resource, keys, lockId, expiry, deadline, retry, cancellationToken).ConfigureAwait(false);
            if (grant is Redlock { IsAcquired: true } held)
            {
                held.OnEnd(gate.Release);
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

    private async Task<Redlock> AcquireAsync(string resource, RedisKey[] keys, string lockId, TimeSpan expiry, long deadline, TimeSpan retry, CancellationToken cancellationToken)
    {
        var attempts = 0;
        while (true)
        {
            attempts++;
            AttemptResult attempt;
            try
            {
                attempt = await TryOnceAsync(resource, keys, lockId, expiry, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Do not leave a partial grant behind until its ttl ends.
                await ReleaseAllAsync(resource, keys, lockId).ConfigureAwait(false);
                throw;
            }

            if (attempt.Status == DistributedLockStatus.Acquired)
            {
                return new Redlock(this, resource, keys, lockId, expiry, attempt.Token, attempt.ValidUntilTimestamp);
            }

            // Unlock every node, including those that did not answer (their SET may still arrive; the release is
            // queued behind it on the same connection).
            var release = ReleaseAllAsync(resource, keys, lockId);
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero || (attempt.Status == DistributedLockStatus.NoQuorum && _nodes.Count(n => n.MayAnswer) < Quorum))
            {
                await release.ConfigureAwait(false);
                RedisLog.LockNotAcquired(_logger, resource, attempt.Status, attempts);
                return Redlock.NotAcquired(resource, lockId, attempt.Status);
            }

            var pause = retry * (0.5 + Random.Shared.NextDouble());
            await Task.WhenAll(release, Task.Delay(pause < left ? pause : left, cancellationToken)).ConfigureAwait(false);
        }
    }

    internal RedisKey[] Keys(string resource)
        => [_options.KeyPrefix + "lock:{" + resource + "}", _options.KeyPrefix + "fence:{" + resource + "}"];

    /// <summary>The Stopwatch timestamp until which a grant requested at <paramref name="started"/> with <paramref name="ttl"/> is valid:
    /// started + ttl − drift, drift = ttl·0.01 + 2 ms (Redlock, https://redis.io/docs/latest/develop/use/patterns/distributed-locks/).</summary>
    internal static long ValidUntil(long started, TimeSpan ttl)
        => started + (long)((ttl - ((ttl * 0.01) + TimeSpan.FromMilliseconds(2))).TotalSeconds * Stopwatch.Frequency);

    /// <summary>Compare-and-delete on every node; never throws for node failures.</summary>
    internal Task ReleaseAllAsync(string resource, RedisKey[] keys, string lockId)
    {
        var tasks = new Task[_nodes.Length];
        RedisKey[] lockKey = [keys[0]];
        RedisValue[] args = [lockId];
        for (var i = 0; i < _nodes.Length; i++)
        {
            tasks[i] = _nodes[i].EvaluateAsync(resource, LuaScripts.LockRelease, lockKey, args, CancellationToken.None);
        }

        return Task.WhenAll(tasks);
    }

    private async Task<AttemptResult> TryOnceAsync(string resource, RedisKey[] keys, string lockId, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var ttlMs = (long)ttl.TotalMilliseconds;
        RedisValue[] args = [lockId, ttlMs, _options.FenceCounterTtlMs];
        var pending = new List<Task<LockNodeReply>>(_nodes.Length);
        var index = new Dictionary<Task<LockNodeReply>, int>(_nodes.Length);
        for (var i = 0; i < _nodes.Length; i++)
        {
            var task = _nodes[i].EvaluateAsync(resource, LuaScripts.LockAcquire, keys, args, cancellationToken);
            pending.Add(task);
            index[task] = i;
        }

        var granted = new List<(int Node, long Value)>(_nodes.Length);
        var conflicts = 0;
        while (pending.Count > 0 && granted.Count < Quorum && granted.Count + pending.Count >= Quorum)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            var reply = await done.ConfigureAwait(false);
            if (!reply.Answered)
            {
                continue;
            }

            if (reply.Value < 0)
            {
                conflicts++;
            }
            else
            {
                granted.Add((index[done], reply.Value));
            }
        }

        if (granted.Count < Quorum)
        {
            return new AttemptResult(conflicts > 0 ? DistributedLockStatus.Conflicted : DistributedLockStatus.NoQuorum, 0, 0);
        }

        var token = granted.Max(g => g.Value);
        var atToken = granted.Count(g => g.Value == token);
        if (atToken < Quorum)
        {
            // Raise the lagging quorum nodes to the token so that every later quorum sees it.
            RedisValue[] fenceArgs = [lockId, token, _options.FenceCounterTtlMs];
            var raises = granted.Where(g => g.Value < token)
                .Select(g => _nodes[g.Node].EvaluateAsync(resource, LuaScripts.LockFence, keys, fenceArgs, cancellationToken));
            var replies = await Task.WhenAll(raises).ConfigureAwait(false);
            if (atToken + replies.Count(r => r.Answered && r.Value == 1) < Quorum)
            {
                return new AttemptResult(DistributedLockStatus.NoQuorum, 0, 0);
            }
        }

        var validUntil = ValidUntil(started, ttl);
        if (Stopwatch.GetTimestamp() >= validUntil)
        {
            // The nodes answered too slowly for the grant to be worth anything.
            return new AttemptResult(DistributedLockStatus.NoQuorum, 0, 0);
        }

        return new AttemptResult(DistributedLockStatus.Acquired, token, validUntil);
    }

    private readonly record struct AttemptResult(DistributedLockStatus Status, long Token, long ValidUntilTimestamp);
}
