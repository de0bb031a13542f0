using System.Threading.Channels;
using SmsGateway.Transports.Nats.Client.JetStream.Internal;

namespace SmsGateway.Transports.Nats.Client.JetStream;

/// <summary>A running pull loop started by <see cref="NatsJSConsumer.Consume"/>.</summary>
public sealed class NatsJSConsume : IAsyncDisposable
{
    private readonly PullConsumer<NatsJSMsg> _loop;

    internal NatsJSConsume(PullConsumer<NatsJSMsg> loop) => _loop = loop;

    /// <summary>Pulled messages (bounded); completes when disposed, or with the error when the consumer is deleted.</summary>
    public ChannelReader<NatsJSMsg> Msgs => _loop.Reader;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
