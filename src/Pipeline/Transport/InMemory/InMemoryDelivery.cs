namespace SmsGateway.Transport.InMemory;

/// <summary>One delivery; the first settle (ack, nak, or expiry by the subscription) wins.</summary>
internal sealed class InMemoryDelivery(InMemorySubscription owner, InMemoryEnvelope envelope, long sequence, long deliveredAt) : IDelivery
{
    private readonly int _deliveryCount = envelope.DeliveryCount;
    private int _settled;

    public InMemoryEnvelope Envelope => envelope;

    public long Sequence => sequence;

    public long DeliveredAt => deliveredAt;

    public string Topic => envelope.Topic;

    public string Key => envelope.Key;

    public ReadOnlyMemory<byte> Payload => envelope.Payload;

    /// <summary>The publisher's decoded form of <see cref="Payload"/>, or null (<see cref="OutgoingMessage.Decoded"/>).</summary>
    public object? Decoded => envelope.Decoded;

    public IReadOnlyDictionary<string, string> Headers => envelope.Headers;

    public int DeliveryCount => _deliveryCount;

    public ValueTask AckAsync(CancellationToken cancellationToken)
    {
        if (TryClaim())
        {
            owner.Settle(this, null);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (TryClaim())
        {
            owner.Settle(this, delay);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken)
    {
        if (TryClaim())
        {
            owner.DeadLetter(this, reason);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>True for the one caller that settles this delivery.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _settled, 1) == 0;
}
