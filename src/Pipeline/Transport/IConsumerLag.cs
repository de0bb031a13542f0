namespace SmsGateway.Transport;

/// <summary>
/// Implemented by an <see cref="IMessageSubscription"/> that can tell its consumer group's lag, reported by the pipeline as
/// the <c>sms.consumer.lag</c> gauge. Optional: a subscription that does not implement it has no lag series.
/// </summary>
/// <remarks>
/// Read on the metrics collection thread (each scrape): must not block or call the broker; return the last value the
/// transport already knows (for example from its last fetch or a periodic consumer-info call). Thread-safe.
/// </remarks>
public interface IConsumerLag
{
    /// <summary>Messages stored for the group and not yet delivered to any member; null when not known yet.</summary>
    long? Pending { get; }
}
