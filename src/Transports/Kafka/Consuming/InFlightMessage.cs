using Confluent.Kafka;

namespace SmsGateway.Transports.Kafka.Consuming;

/// <summary>One consumed record that is not yet acknowledged, tracked until ack (or until its partition is revoked).</summary>
/// <remarks>Mutable fields are guarded by the owning <see cref="PartitionState"/>'s lock.</remarks>
internal sealed class InFlightMessage
{
    public InFlightMessage(PartitionState partition, ConsumeResult<string, byte[]> result, IReadOnlyDictionary<string, string> headers)
    {
        Partition = partition;
        Offset = result.Offset.Value;
        Key = result.Message.Key ?? string.Empty;
        Payload = result.Message.Value ?? [];
        Headers = headers;
    }

    public PartitionState Partition { get; }

    public long Offset { get; }

    public string Key { get; }

    public byte[] Payload { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Deliveries so far (1 after the first).</summary>
    public int DeliveryCount { get; set; }

    /// <summary>Id of the current delivery; a nak from an older delivery is ignored.</summary>
    public int Generation { get; set; }

    /// <summary><see cref="Environment.TickCount64"/> of the current delivery (for ack wait).</summary>
    public long DeliveredAt { get; set; }

    public InFlightState State { get; set; }
}

/// <summary>Where an in-flight message is.</summary>
internal enum InFlightState
{
    /// <summary>Handed to the application (or queued for it).</summary>
    Delivered,

    /// <summary>Nak'd: waiting for its redelivery time.</summary>
    Waiting,

    /// <summary>Done; its offset may be committed.</summary>
    Acked,
}
