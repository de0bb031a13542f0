using SmsGateway.Redis;
using StackExchange.Redis;

namespace SmsGateway.Host.Health;

/// <summary>
/// Readiness of the Redlock masters: at least a quorum (N/2+1 of <see cref="RedisOptions.LockEndpoints"/>, the rule of
/// https://redis.io/docs/latest/develop/use/patterns/distributed-locks/) is connected and answers a PING within
/// <see cref="RedisOptions.LockNodeTimeoutMs"/>; the nodes are probed in parallel.
/// </summary>
internal sealed class LockQuorumHealthCheck(RedisConnections connections, SmsPipeline pipeline, TimeProvider time, HealthLog log) : DependencyHealthCheck(time, log)
{
    /// <inheritdoc />
    protected override string Name => "lock_quorum";

    /// <inheritdoc />
    protected override void Observed(bool healthy) => pipeline.Circuits.Report(SmsGateway.Accept.AcceptDependency.LockQuorum, healthy);

    /// <inheritdoc />
    protected override async Task<Probe> ProbeAsync(CancellationToken cancellationToken)
    {
        var nodes = await connections.LockNodes.WaitAsync(cancellationToken).ConfigureAwait(false);
        var answers = await Task.WhenAll(nodes.Select(n => AnswersAsync(n, cancellationToken))).ConfigureAwait(false);
        var up = answers.Count(a => a);
        var quorum = (nodes.Length / 2) + 1;
        var description = $"{up} of {nodes.Length} lock nodes answer, quorum {quorum}";
        if (up >= quorum)
        {
            return Probe.Up(description);
        }

        var down = nodes.Where((_, i) => !answers[i]).SelectMany(n => n.GetEndPoints()).Select(e => e.ToString());
        return Probe.Down(description, $"{description}; not answering: {string.Join(", ", down)}");
    }

    private static async Task<bool> AnswersAsync(ConnectionMultiplexer node, CancellationToken cancellationToken)
    {
        if (!node.IsConnected)
        {
            return false;
        }

        try
        {
            await node.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (RedisCallFailure.Is(ex, cancellationToken))
        {
            return false;
        }
    }
}
