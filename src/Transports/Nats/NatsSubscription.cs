using System.Threading.Channels;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats.Client.JetStream;
using SmsGateway.Transports.Nats.Client.JetStream.Internal;

namespace SmsGateway.Transports.Nats;

/// <summary>One member of a group: a pull loop whose bounded channel of MaxInFlight deliveries drives the pulls.</summary>
internal sealed class NatsSubscription : IMessageSubscription
{
    private readonly NatsTransport _transport;
    private readonly PullConsumer<IDelivery> _loop;

    public NatsSubscription(NatsTransport transport, string topic, string group, NatsJSConsumer consumer, SubscriptionOptions options)
    {
        _transport = transport;
        Topic = topic;
        ConsumerGroup = group;
        var maxDeliver = transport.Options.MaxDeliver;
        var opts = new NatsJSConsumeOpts
        {
            MaxMsgs = options.MaxInFlight,
            Expires = TimeSpan.FromMilliseconds(transport.Options.PullExpiresMs),
            IdleHeartbeat = TimeSpan.FromMilliseconds(transport.Options.IdleHeartbeatMs),
        }.Validate();
        _loop = new PullConsumer<IDelivery>(transport.Connection, consumer.Stream, consumer.Name, opts, msg =>
        {
            var delivered = msg.Metadata?.NumDelivered ?? 1;
            if (maxDeliver > 0 && delivered > maxDeliver)
            {
                _ = transport.DeadLetterAsync(topic, msg);
                return null;
            }

            return new NatsDelivery(topic, msg, (int)Math.Min(delivered, int.MaxValue));
        });
    }

    public string Topic { get; }

    public string ConsumerGroup { get; }

    public ChannelReader<IDelivery> Deliveries => _loop.Reader;

    public void Start() => _loop.Start();

    public async ValueTask DisposeAsync()
    {
        _transport.Forget(this);
        await _loop.DisposeAsync().ConfigureAwait(false);
    }
}
