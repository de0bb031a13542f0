namespace SmsGateway.Transport.InMemory;

/// <summary>Settings of <see cref="InMemoryTransport"/>.</summary>
public sealed record InMemoryTransportOptions
{
    /// <summary>Most messages stored per topic and consumer group (queued plus unacknowledged). A publish beyond it fails
    /// with <see cref="TransportException"/> so the gateway can answer 503 instead of growing without bound. Default 2,000,000.</summary>
    public int MaxMessagesPerTopic { get; init; } = 2_000_000;

    /// <summary>Window in which a second publish with the same <see cref="OutgoingMessage.MessageId"/> is dropped. Default 2 minutes (as JetStream).</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Most dead letters kept (<see cref="IDelivery.DeadLetterAsync"/>); beyond it the oldest is dropped. Default 10,000.</summary>
    public int MaxDeadLetters { get; init; } = 10_000;

    /// <summary>Shared defaults.</summary>
    public static InMemoryTransportOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of range.</summary>
    public InMemoryTransportOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessagesPerTopic, 1, nameof(MaxMessagesPerTopic));
        ArgumentOutOfRangeException.ThrowIfLessThan(DuplicateWindow, TimeSpan.Zero, nameof(DuplicateWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDeadLetters, 1, nameof(MaxDeadLetters));
        return this;
    }
}
