using System.Collections.Concurrent;

namespace SmsGateway.Transport.InMemory;

/// <summary>
/// The embedded broker: topics with consumer groups inside one process, with the transport contract of NATS JetStream and
/// Kafka (publish completes once stored; competing consumers; at-least-once with ack, nak with delay and redelivery after
/// the ack wait; unacknowledged deliveries of a closed subscription are delivered again). Nothing survives the process.
/// </summary>
/// <remarks>
/// Thread-safe. A message published before any group exists is kept for the first group that subscribes (like a stream
/// read from its start). Every group sees every message of its topic.
/// </remarks>
public sealed class InMemoryTransport : IMessageTransport
{
    private readonly ConcurrentDictionary<string, InMemoryTopic> _topics = new(StringComparer.Ordinal);
    private readonly InMemoryTransportOptions _options;
    private volatile bool _disposed;

    /// <summary>Creates an empty broker.</summary>
    public InMemoryTransport(InMemoryTransportOptions? options = null) => _options = (options ?? InMemoryTransportOptions.Default).Validate();

    /// <inheritdoc />
    public ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        GetTopic(topic).Publish(message);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        options.Validate();
        var group = GetTopic(topic).GetGroup(consumerGroup);
        return ValueTask.FromResult<IMessageSubscription>(new InMemorySubscription(group, options));
    }

    /// <summary>Messages of <paramref name="topic"/> not yet acknowledged by <paramref name="consumerGroup"/> (queued plus in flight).</summary>
    public long Pending(string topic, string consumerGroup) =>
        _topics.TryGetValue(topic, out var t) ? t.GetGroup(consumerGroup).Stored : 0;

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var topic in _topics.Values)
        {
            topic.Close();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Takes every message of <paramref name="topic"/> still queued (not handed to a consumer) for <paramref name="consumerGroup"/>
    /// out of the group, those waiting for a delayed redelivery included, counting each as acknowledged: the graceful stop
    /// settles them itself (SmsPipeline's drain). Messages a consumer still holds are not included.
    /// </summary>
    internal List<ReadOnlyMemory<byte>> TakeQueued(string topic, string consumerGroup)
    {
        var taken = new List<ReadOnlyMemory<byte>>();
        if (_topics.TryGetValue(topic, out var t))
        {
            var group = t.GetGroup(consumerGroup);
            while (group.Ready.Reader.TryRead(out var envelope))
            {
                group.Acked();
                taken.Add(envelope.Payload);
            }

            foreach (var envelope in group.Delayed.Keys)
            {
                if (group.Delayed.TryRemove(envelope, out _))
                {
                    group.Acked();
                    taken.Add(envelope.Payload);
                }
            }
        }

        return taken;
    }

    private InMemoryTopic GetTopic(string name) => _topics.GetOrAdd(name, static (n, o) => new InMemoryTopic(n, o), _options);
}
