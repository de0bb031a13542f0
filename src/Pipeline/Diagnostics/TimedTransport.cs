using System.Diagnostics;
using SmsGateway.Transport;

namespace SmsGateway.Diagnostics;

/// <summary>
/// Times publishes until the broker stored the message into <c>sms.broker.publish.duration</c> (ms, by topic and outcome), and
/// tracks each subscription the pipeline opens so its lag is reported while it is open (<see cref="IConsumerLag"/>). Takes no
/// timestamp while nobody reads the histogram.
/// </summary>
/// <remarks>Thread-safe as the transport it wraps; its exceptions pass through unchanged. Disposing disposes the wrapped transport.</remarks>
internal sealed class TimedTransport(IMessageTransport inner, PipelineMetrics metrics) : IMessageTransport
{
    public ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.PublishAsync(topic, message, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        var publish = inner.PublishAsync(topic, message, cancellationToken);
        if (publish.IsCompletedSuccessfully)
        {
            // The in-memory transport stores synchronously: no state machine for the common embedded case.
            metrics.Publish(topic, ok: true, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            return publish;
        }

        return TimeAsync(publish, topic, start);
    }

    public async ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken)
    {
        var subscription = await inner.SubscribeAsync(topic, consumerGroup, options, cancellationToken).ConfigureAwait(false);
        return subscription is IConsumerLag ? new TrackedSubscription(subscription, metrics) : subscription;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async ValueTask TimeAsync(ValueTask publish, string topic, long start)
    {
        bool ok = false;
        try
        {
            await publish.ConfigureAwait(false);
            ok = true;
        }
        finally
        {
            metrics.Publish(topic, ok, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }
}
