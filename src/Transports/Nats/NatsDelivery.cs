using SmsGateway.Transport;
using SmsGateway.Transports.Nats.Client;
using SmsGateway.Transports.Nats.Client.JetStream;

namespace SmsGateway.Transports.Nats;

/// <summary>A pulled JetStream message as an <see cref="IDelivery"/>; the first settle call wins.</summary>
internal sealed class NatsDelivery(string topic, NatsJSMsg msg, int deliveryCount) : IDelivery
{
    private static readonly NatsHeaders NoHeaders = new();
    private int _settled;

    public string Topic { get; } = topic;

    public string Key => msg.Headers is { } h && h.TryGetValue(NatsTransport.KeyHeader, out var key) ? key : string.Empty;

    public ReadOnlyMemory<byte> Payload => msg.Data;

    public IReadOnlyDictionary<string, string> Headers => msg.Headers ?? NoHeaders;

    public int DeliveryCount { get; } = deliveryCount;

    public async ValueTask AckAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        await Settle(msg.AckAsync(cancellationToken)).ConfigureAwait(false);
    }

    public async ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        await Settle(msg.NakAsync(delay, cancellationToken)).ConfigureAwait(false);
    }

    private static async ValueTask Settle(ValueTask send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (NatsException ex)
        {
            throw new TransportException($"ack/nak not sent: {ex.Message}", ex);
        }
    }
}
