using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// A Redlock node: a <see cref="RedisNode"/> with a short per-call timeout, and a suspension after a timeout so that
/// a frozen server (SIGSTOP, network partition) is skipped instead of collecting one pending command per attempt.
/// </summary>
/// <remarks>Thread-safe. Never throws for node failures: the answer is a <see cref="LockNodeReply"/>.</remarks>
internal sealed class LockNode
{
    private readonly RedisNode _node;
    private readonly TimeSpan _timeout;
    private readonly long _suspendTicks;
    private readonly int _suspendMs;
    private readonly ILogger _logger;
    private long _suspendedUntil;
    private int _consecutiveTimeouts;

    public LockNode(RedisNode node, RedisOptions options, ILogger logger)
    {
        _node = node;
        _logger = logger;
        _timeout = TimeSpan.FromMilliseconds(options.LockNodeTimeoutMs);
        _suspendMs = options.LockNodeSuspendMs;
        _suspendTicks = (long)(options.LockNodeSuspendMs / 1000.0 * Stopwatch.Frequency);
    }

    public string Endpoint => _node.Endpoint;

    /// <summary>True while the node is skipped after repeated timeouts.</summary>
    public bool IsSuspended => Stopwatch.GetTimestamp() < Volatile.Read(ref _suspendedUntil);

    /// <summary>False while the node is suspended or its connection is known to be down.</summary>
    public bool MayAnswer => !IsSuspended && _node.MayBeConnected;

    /// <summary>Runs a lock script; a suspended node answers <see cref="LockNodeReply.Failed"/> at once.</summary>
    public async Task<LockNodeReply> EvaluateAsync(string resource, string script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        if (IsSuspended)
        {
            return LockNodeReply.Failed;
        }

        try
        {
            var result = await _node.EvaluateAsync(script, keys, args, _timeout, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _consecutiveTimeouts, 0);
            return new LockNodeReply(true, (long)result);
        }
        catch (TimeoutException ex)
        {
            // One timeout can be a hiccup (GC, a busy core); two in a row look like a frozen or partitioned node.
            if (_suspendTicks > 0 && Interlocked.Increment(ref _consecutiveTimeouts) >= 2)
            {
                Volatile.Write(ref _suspendedUntil, Stopwatch.GetTimestamp() + _suspendTicks);
                RedisLog.LockNodeSuspended(_logger, Endpoint, _suspendMs);
            }

            RedisLog.LockNodeFailed(_logger, ex, Endpoint, resource);
            return LockNodeReply.Failed;
        }
        catch (RedisException ex)
        {
            RedisLog.LockNodeFailed(_logger, ex, Endpoint, resource);
            return LockNodeReply.Failed;
        }
    }
}
