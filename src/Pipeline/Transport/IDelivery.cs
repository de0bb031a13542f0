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

    /// <summary>
    /// Moves the message to the transport's dead-letter store (NATS: the <c>DEAD</c> stream; Kafka: the dead-letter topic;
    /// in-memory: a bounded list) with <paramref name="reason"/>, its topic and the time, then settles this delivery so the
    /// group never sees it again. For a message that can never be processed (undecodable payload): an outage is waited out
    /// with <see cref="NakAsync"/>, never dead-lettered. An operator lists and replays dead letters through
    /// <see cref="IDeadLetterStore"/> (README "Durability").
    /// </summary>
    /// <param name="reason">Short machine-readable reason, for example <c>undecodable: ...</c>; kept with the message.</param>
    /// <param name="cancellationToken">Cancels the wait; the message may still have been moved.</param>
    /// <exception cref="TransportException">The dead-letter store did not take it: the delivery is left unsettled (the caller naks it).</exception>
    ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken);
}
