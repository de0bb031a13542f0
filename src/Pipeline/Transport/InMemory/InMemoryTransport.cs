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
public sealed class InMemoryTransport : IMessageTransport, IDeadLetterStore
{
    private readonly ConcurrentDictionary<string, InMemoryTopic> _topics = new(StringComparer.Ordinal);
    private readonly InMemoryTransportOptions _options;
    private readonly InMemoryDeadLetters _deadLetters;
    private volatile bool _disposed;

    /// <summary>Creates an empty broker.</summary>
    public InMemoryTransport(InMemoryTransportOptions? options = null)
    {
        _options = (options ?? InMemoryTransportOptions.Default).Validate();
        _deadLetters = new InMemoryDeadLetters(_options.MaxDeadLetters);
    }

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
    public ValueTask<IReadOnlyList<DeadLetter>> ListAsync(string? topic, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ValueTask.FromResult(_deadLetters.List(topic, limit));
    }

    /// <inheritdoc />
    public ValueTask<DeadLetterReplay> ReplayAsync(string? topic, IReadOnlyCollection<string>? ids, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var replayed = new List<string>();
        var taken = _deadLetters.Take(topic, ids, 10_000);
        for (int i = 0; i < taken.Count; i++)
        {
            var (letter, envelope) = taken[i];
            try
            {
                var headers = envelope.Headers.Where(h => !DeadLetterHeaders.IsDeadLetterHeader(h.Key)).ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
                GetTopic(letter.Topic).Publish(new OutgoingMessage(envelope.Key, envelope.Payload, "dead-replay:" + letter.Id, headers));
                replayed.Add(letter.Id);
            }
            catch (TransportException)
            {
                // topic full or closed: what was not republished stays dead-lettered
                foreach (var (l, e) in taken.Skip(i))
                {
                    _deadLetters.Restore(l, e);
                }

                throw;
            }
        }

        var notFound = ids is null ? [] : ids.Except(replayed, StringComparer.Ordinal).ToList();
        return ValueTask.FromResult(new DeadLetterReplay(replayed, notFound));
    }

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

    private InMemoryTopic GetTopic(string name) => _topics.GetOrAdd(name, static (n, o) => new InMemoryTopic(n, o.Options, o.Dead), (Options: _options, Dead: _deadLetters));
}
