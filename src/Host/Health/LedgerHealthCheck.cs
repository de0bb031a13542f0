using SmsGateway.Redis;
using StackExchange.Redis;

namespace SmsGateway.Host.Health;

/// <summary>
/// Readiness of the Redis ledger (also the fencing-token issuer): the ledger connection is connected
/// (<see cref="IConnectionMultiplexer.IsConnected"/>) and answers a PING within the client's own call limit
/// (<see cref="RedisOptions.OperationTimeoutMs"/>) and <see cref="DependencyHealthCheck.Bound"/>.
/// </summary>
internal sealed class LedgerHealthCheck(RedisConnections connections, SmsPipeline pipeline, TimeProvider time, HealthLog log) : DependencyHealthCheck(time, log)
{
    /// <inheritdoc />
    protected override string Name => "ledger";

    /// <inheritdoc />
    protected override void Observed(bool healthy) => pipeline.Circuits.Report(SmsGateway.Accept.AcceptDependency.Ledger, healthy);

    /// <inheritdoc />
    protected override async Task<Probe> ProbeAsync(CancellationToken cancellationToken)
    {
        var ledger = await connections.Ledger.WaitAsync(cancellationToken).ConfigureAwait(false);
        var endpoint = string.Join(",", ledger.GetEndPoints().Select(e => e.ToString()));
        if (!ledger.IsConnected)
        {
            return Probe.Down("not connected", $"Redis ledger {endpoint} is not connected");
        }

        try
        {
            var roundTrip = await ledger.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return Probe.Up($"PING answered in {roundTrip.TotalMilliseconds:0} ms");
        }
        catch (Exception ex) when (RedisCallFailure.Is(ex, cancellationToken))
        {
            return Probe.Down("PING failed", $"Redis ledger {endpoint}: {ex.Message}");
        }
    }
}
