namespace SmsGateway.Transport;

/// <summary>One delivery of one message to one consumer. Exactly one of ack, nak or term should be called.</summary>
/// <remarks>Ack/nak may be called from any thread; a second settle call is ignored.</remarks>
public interface IDelivery
{
    /// <summary>Topic the message was published to.</summary>
    string Topic { get; }

    /// <summary>The publisher's key.</summary>
    string Key { get; }

    /// <summary>The serialized body. Valid until the delivery is settled.</summary>
    ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Headers as published (never null).</summary>
    IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>How many times this message has been delivered, this delivery included (1 for the first).</summary>
    int DeliveryCount { get; }

    /// <summary>Marks the message done: it will not be delivered again.</summary>
    ValueTask AckAsync(CancellationToken cancellationToken);

    /// <summary>Returns the message to the group to be delivered again after <paramref name="delay"/> (zero: at once).</summary>
    ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken);
}
