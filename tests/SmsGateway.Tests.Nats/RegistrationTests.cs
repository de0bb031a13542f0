using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;

namespace SmsGateway.Tests.Nats;

[Collection(NatsCollection.Name)]
public sealed class RegistrationTests(NatsServer server)
{
    private sealed class Placeholder : IMessageTransport
    {
        public ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact(Timeout = 20_000)]
    public async Task AddNatsTransport_replaces_the_registered_transport_with_a_working_singleton()
    {
        var id = Unique.Name("R");
        var services = new ServiceCollection();
        services.AddSingleton<IMessageTransport, Placeholder>();
        services.AddNatsTransport(new NatsTransportOptions { Url = server.Url, StreamPrefix = id + "_", SubjectPrefix = id.ToLowerInvariant() });
        await using var sp = services.BuildServiceProvider();

        var transport = sp.GetRequiredService<IMessageTransport>();
        Assert.IsType<NatsTransport>(transport);
        Assert.Same(transport, sp.GetRequiredService<IMessageTransport>());
        Assert.Single(services, d => d.ServiceType == typeof(IMessageTransport));
        await transport.PublishAsync(Topics.Status, new OutgoingMessage("k", "x"u8.ToArray()), CancellationToken.None);

        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddNatsTransport(new NatsTransportOptions { Url = "bogus://" }));
    }
}
