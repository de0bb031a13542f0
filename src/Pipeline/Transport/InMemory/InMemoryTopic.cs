using System.Threading.Channels;

namespace SmsGateway.Transport.InMemory;

/// <summary>One topic: its consumer groups and the messages kept for a group that does not exist yet.</summary>
internal sealed class InMemoryTopic(string name, InMemoryTransportOptions options, InMemoryDeadLetters deadLetters)
{
    private readonly DuplicateFilter? _duplicates = options.DuplicateWindow > TimeSpan.Zero ? new DuplicateFilter(options.DuplicateWindow) : null;
    private readonly object _gate = new();
    private InMemoryGroup[] _groups = [];
    private List<InMemoryEnvelope>? _orphans = [];

    public string Name => name;

    /// <summary>The transport's dead-letter store.</summary>
    public InMemoryDeadLetters DeadLetters => deadLetters;

    public void Publish(in OutgoingMessage message)
    {
        string? id = _duplicates is null ? null : message.MessageId;
        if (id is not null && !_duplicates!.FirstSighting(id))
        {
            return;
        }

        try
        {
            Store(message);
        }
        catch (TransportException)
        {
            if (id is not null)
            {
                _duplicates!.Forget(id);
            }

            throw;
        }
    }

    public InMemoryGroup GetGroup(string groupName)
    {
        lock (_gate)
        {
            foreach (var g in _groups)
            {
                if (g.Name == groupName)
                {
                    return g;
                }
            }

            var group = new InMemoryGroup(this, groupName);
            foreach (var e in _orphans ?? [])
            {
                group.Enqueue(e, int.MaxValue);
            }

            _orphans = null;
            _groups = [.. _groups, group];
            return group;
        }
    }

    public void Close()
    {
        foreach (var g in _groups)
        {
            g.Ready.Writer.TryComplete();
        }
    }

    private void Store(in OutgoingMessage message)
    {
        var groups = _groups;
        if (groups.Length == 0)
        {
            lock (_gate)
            {
                if (_orphans is not null)
                {
                    if (_orphans.Count >= options.MaxMessagesPerTopic)
                    {
                        throw new TransportException($"topic {name} is full ({options.MaxMessagesPerTopic} messages)");
                    }

                    _orphans.Add(new InMemoryEnvelope(name, message));
                    return;
                }

                groups = _groups;
            }
        }

        foreach (var g in groups)
        {
            g.Enqueue(new InMemoryEnvelope(name, message), options.MaxMessagesPerTopic);
        }
    }
}

/// <summary>One consumer group: the queue its members compete for.</summary>
internal sealed class InMemoryGroup(InMemoryTopic topic, string name)
{
    private long _stored;

    public string Name => name;

    public InMemoryTopic Topic => topic;

    /// <summary>Messages ready for delivery. Unbounded channel, bounded by the <see cref="_stored"/> check at enqueue.</summary>
    public Channel<InMemoryEnvelope> Ready { get; } = Channel.CreateUnbounded<InMemoryEnvelope>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    public long Stored => Interlocked.Read(ref _stored);

    public void Enqueue(InMemoryEnvelope envelope, int capacity)
    {
        if (Interlocked.Increment(ref _stored) > capacity)
        {
            Interlocked.Decrement(ref _stored);
            throw new TransportException($"topic {topic.Name} group {name} is full ({capacity} messages)");
        }

        if (!Ready.Writer.TryWrite(envelope))
        {
            Interlocked.Decrement(ref _stored);
            throw new TransportException($"topic {topic.Name} is closed");
        }
    }

    /// <summary>Puts a message back for another delivery (nak, ack wait expired, subscription closed).</summary>
    public void Redeliver(InMemoryEnvelope envelope)
    {
        envelope.DeliveryCount++;
        Ready.Writer.TryWrite(envelope);
    }

    public void Acked() => Interlocked.Decrement(ref _stored);

    /// <summary>Messages nak'ed with a delay, waiting to be put back (removing one claims it).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<InMemoryEnvelope, byte> Delayed { get; } = new(ReferenceEqualityComparer.Instance);
}

/// <summary>A stored message and how often it has been delivered.</summary>
internal sealed class InMemoryEnvelope(string topic, OutgoingMessage message)
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();
    private byte[]? _bytes;

    public string Topic => topic;

    public string Key => message.Key;

    /// <summary>The message's bytes, made on first read when the publisher left them to be made (<see cref="OutgoingMessage.Encode"/>).
    /// Thread-safe: two first reads at once each write the same bytes, and either is kept.</summary>
    public ReadOnlyMemory<byte> Payload => message.Encode is { } encode ? _bytes ??= encode(message.Decoded!) : message.Payload;

    public IReadOnlyDictionary<string, string> Headers => message.Headers ?? NoHeaders;

    /// <summary>The publisher's decoded form of <see cref="Payload"/> (<see cref="OutgoingMessage.Decoded"/>), or null.</summary>
    public object? Decoded => message.Decoded;

    /// <summary>Deliveries so far, the coming one included once handed out (starts at 1).</summary>
    public int DeliveryCount { get; set; } = 1;
}
