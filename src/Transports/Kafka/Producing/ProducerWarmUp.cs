using Microsoft.Extensions.Hosting;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Kafka.Producing;

/// <summary>
/// Runs <see cref="KafkaTransport.WarmUpAsync"/> when the host starts, before the web server takes requests (ASP.NET Core
/// starts the server after the hosted services). Does nothing when the registered transport is not Kafka.
/// </summary>
internal sealed class ProducerWarmUp(IMessageTransport transport) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        transport is KafkaTransport kafka ? kafka.WarmUpAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
