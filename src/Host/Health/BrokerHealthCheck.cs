using SmsGateway.Transport;

namespace SmsGateway.Host.Health;

/// <summary>
/// Readiness of the message broker: the transport's <see cref="IBrokerProbe"/> (NATS: the NATS.Net connection is open;
/// Kafka: a broker answers a metadata request). A transport without a probe is reported healthy with the description
/// "unknown".
/// </summary>
internal sealed class BrokerHealthCheck(IMessageTransport transport, SmsPipeline pipeline, TimeProvider time, HealthLog log) : DependencyHealthCheck(time, log)
{
    /// <inheritdoc />
    protected override string Name => "broker";

    /// <inheritdoc />
    protected override void Observed(bool healthy) => pipeline.Circuits.Report(SmsGateway.Accept.AcceptDependency.Broker, healthy);

    /// <inheritdoc />
    protected override async Task<Probe> ProbeAsync(CancellationToken cancellationToken)
    {
        if (transport is not IBrokerProbe probe)
        {
            return Probe.Up("unknown: this transport has no connection probe");
        }

        return await probe.IsConnectedAsync(cancellationToken).ConfigureAwait(false)
            ? Probe.Up("connected")
            : Probe.Down("not connected", $"{transport.GetType().Name}: the broker connection is not open");
    }
}
