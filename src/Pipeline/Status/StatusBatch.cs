using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Status;

/// <summary>Decoded status events and the deliveries that carried them, settled together after the batch is written.</summary>
internal sealed class StatusBatch(int capacity)
{
    public List<StatusEvent> Events { get; } = new(capacity);

    public List<IDelivery> Deliveries { get; } = new(capacity);

    public int Count => Events.Count;

    public void Add(StatusEvent e, IDelivery delivery)
    {
        Events.Add(e);
        Deliveries.Add(delivery);
    }
}
