using SmsGateway.Transport;

namespace SmsGateway.Transports.Kafka.Consuming;

/// <summary>Acks and naks: called from application threads.</summary>
internal sealed partial class KafkaSubscription
{
    private readonly Lock _delayGate = new();
    private readonly PriorityQueue<(InFlightMessage Message, int Generation), long> _delayed = new();

    /// <summary>Marks the message done; its offset becomes committable once every earlier offset is done.</summary>
    public void Ack(InFlightMessage message)
    {
        var partition = message.Partition;
        lock (partition.Gate)
        {
            if (partition.Revoked || message.State == InFlightState.Acked)
            {
                return;
            }

            partition.AckLocked(message);
        }

        Interlocked.Decrement(ref _unacked);
        if (Volatile.Read(ref _waitingForRoom))
        {
            WakeForRoom();
        }
    }

    /// <summary>Set by the transport: writes a message to the dead-letter topic (origin topic, delivery count, reason).</summary>
    internal Func<string, InFlightMessage, int, string, CancellationToken, ValueTask>? DeadLetterSink { get; set; }

    /// <summary>Writes the message to the dead-letter topic; the caller acks it once this returned.</summary>
    /// <exception cref="TransportException">Not stored.</exception>
    public ValueTask DeadLetterAsync(InFlightMessage message, int deliveries, string reason, CancellationToken cancellationToken) =>
        DeadLetterSink is { } sink
            ? sink(Topic, message, deliveries, reason, cancellationToken)
            : throw new TransportException("this subscription has no dead-letter topic");

    /// <summary>Holds the message (uncommitted) and delivers it again after <paramref name="delay"/>.</summary>
    public void Nak(InFlightMessage message, int generation, TimeSpan delay)
    {
        var partition = message.Partition;
        lock (partition.Gate)
        {
            if (partition.Revoked || message.State != InFlightState.Delivered || message.Generation != generation)
            {
                return;
            }

            message.State = InFlightState.Waiting;
        }

        var due = Environment.TickCount64 + (long)Math.Ceiling(delay.TotalMilliseconds);
        lock (_delayGate)
        {
            _delayed.Enqueue((message, generation), due);
        }
    }

    /// <summary>Moves nak'd messages whose delay passed to new deliveries (consume thread).</summary>
    private void ReleaseDue(long now)
    {
        while (true)
        {
            InFlightMessage message;
            int generation;
            lock (_delayGate)
            {
                if (!_delayed.TryPeek(out var entry, out var due) || due > now)
                {
                    return;
                }

                _delayed.Dequeue();
                (message, generation) = entry;
            }

            KafkaDelivery delivery;
            lock (message.Partition.Gate)
            {
                if (message.Partition.Revoked || message.State != InFlightState.Waiting || message.Generation != generation)
                {
                    continue;
                }

                message.State = InFlightState.Delivered;
                message.Generation++;
                message.DeliveryCount++;
                message.DeliveredAt = now;
                delivery = new KafkaDelivery(this, message, message.Generation, message.DeliveryCount);
            }

            Offer(delivery);
        }
    }

    /// <summary>Milliseconds until the next nak'd message is due; <paramref name="ceiling"/> when none is sooner.</summary>
    private int MsUntilNextDue(long now, int ceiling)
    {
        lock (_delayGate)
        {
            return _delayed.TryPeek(out _, out var due) ? (int)Math.Clamp(due - now, 0, ceiling) : ceiling;
        }
    }
}
