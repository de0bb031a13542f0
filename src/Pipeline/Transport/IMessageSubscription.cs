using System.Threading.Channels;

namespace SmsGateway.Transport;

/// <summary>
/// One member of a consumer group. Deliveries arrive on a bounded <see cref="Deliveries"/> reader; the transport stops
/// fetching while the reader is full (backpressure). Disposing leaves the group; unacknowledged deliveries are delivered again.
/// </summary>
public interface IMessageSubscription : IAsyncDisposable
{
    /// <summary>Topic of this subscription.</summary>
    string Topic { get; }

    /// <summary>Consumer group of this subscription.</summary>
    string ConsumerGroup { get; }

    /// <summary>Bounded stream of deliveries; completes when the subscription is disposed or fails (with the failure).</summary>
    ChannelReader<IDelivery> Deliveries { get; }
}

/// <summary>Settings of one subscription.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>Deliveries buffered ahead of the consumer (and, for brokers with ack windows, the most unacked). Default 1024.</summary>
    public int MaxInFlight { get; init; } = 1024;

    /// <summary>How long a delivery may stay unacknowledged before the broker delivers it again. Default 30 s.</summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Shared defaults.</summary>
    public static SubscriptionOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of range.</summary>
    public SubscriptionOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlight, 1, nameof(MaxInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AckWait, TimeSpan.Zero, nameof(AckWait));
        return this;
    }
}
