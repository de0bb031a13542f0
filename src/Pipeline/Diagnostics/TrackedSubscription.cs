using System.Threading.Channels;
using SmsGateway.Transport;

namespace SmsGateway.Diagnostics;

/// <summary>
/// A subscription whose lag (<see cref="IConsumerLag"/>) is reported as <c>sms.consumer.lag</c> from the moment it is opened
/// until it is disposed; deliveries come straight from the wrapped subscription's reader.
/// </summary>
internal sealed class TrackedSubscription : IMessageSubscription, IConsumerLag
{
    private readonly IMessageSubscription _inner;
    private readonly PipelineMetrics _metrics;

    public TrackedSubscription(IMessageSubscription inner, PipelineMetrics metrics)
    {
        _inner = inner;
        _metrics = metrics;
        metrics.Track(this);
    }

    public string Topic => _inner.Topic;

    public string ConsumerGroup => _inner.ConsumerGroup;

    public ChannelReader<IDelivery> Deliveries => _inner.Deliveries;

    public long? Pending => (_inner as IConsumerLag)?.Pending;

    public ValueTask DisposeAsync()
    {
        _metrics.Untrack(this);
        return _inner.DisposeAsync();
    }
}
