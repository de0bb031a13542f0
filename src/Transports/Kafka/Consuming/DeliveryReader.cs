using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Kafka.Consuming;

/// <summary>
/// The subscription's reader: the bounded channel, minus deliveries that stopped being current while queued (their
/// partition was revoked, or an ack-wait redelivery superseded them).
/// </summary>
internal sealed class DeliveryReader : ChannelReader<IDelivery>
{
    private readonly ChannelReader<KafkaDelivery> _inner;

    public DeliveryReader(ChannelReader<KafkaDelivery> inner) => _inner = inner;

    public override Task Completion => _inner.Completion;

    public override bool CanCount => _inner.CanCount;

    public override int Count => _inner.Count;

    public override bool TryRead([MaybeNullWhen(false)] out IDelivery item)
    {
        while (_inner.TryRead(out var delivery))
        {
            if (delivery.IsCurrent)
            {
                item = delivery;
                return true;
            }
        }

        item = null;
        return false;
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => _inner.WaitToReadAsync(cancellationToken);
}
