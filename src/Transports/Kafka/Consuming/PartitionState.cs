using Confluent.Kafka;

namespace SmsGateway.Transports.Kafka.Consuming;

/// <summary>
/// The in-flight messages of one assigned partition, in offset order, and the commit watermark they imply: the lowest
/// unacknowledged offset, or the next offset to consume when nothing is in flight. Committing the watermark never
/// passes a message still in flight.
/// </summary>
/// <remarks>Thread-safe: acks arrive from application threads, tracking and commits from the consume thread.</remarks>
internal sealed class PartitionState
{
    private readonly Queue<InFlightMessage> _inFlight = new();
    private long _next = Offset.Unset.Value;
    private long _committed = Offset.Unset.Value;

    public PartitionState(TopicPartition partition) => Partition = partition;

    public TopicPartition Partition { get; }

    /// <summary>Guards this state and the mutable fields of its messages.</summary>
    public Lock Gate { get; } = new();

    /// <summary>True once the partition was revoked or lost; every later ack or nak of its messages is ignored.</summary>
    public bool Revoked { get; private set; }

    /// <summary>Starts tracking a consumed record; false when its offset was tracked before (a re-fetch after pause or seek).</summary>
    public bool TryTrack(InFlightMessage message)
    {
        lock (Gate)
        {
            if (Revoked || (_next >= 0 && message.Offset < _next))
            {
                return false;
            }

            _inFlight.Enqueue(message);
            _next = message.Offset + 1;
            return true;
        }
    }

    /// <summary>True when the record at <paramref name="offset"/> was already tracked (it is a re-fetch).</summary>
    public bool IsBehind(long offset)
    {
        lock (Gate)
        {
            return _next >= 0 && offset < _next;
        }
    }

    /// <summary>Marks a message acknowledged and drops acknowledged messages from the head. Call under <see cref="Gate"/>.</summary>
    public void AckLocked(InFlightMessage message)
    {
        message.State = InFlightState.Acked;
        while (_inFlight.TryPeek(out var head) && head.State == InFlightState.Acked)
        {
            _inFlight.Dequeue();
        }
    }

    /// <summary>
    /// Moves every delivery unacknowledged for <paramref name="ackWaitMs"/> to a new delivery (generation and delivery
    /// count bumped) and adds it to <paramref name="expired"/>.
    /// </summary>
    public void CollectExpired(long now, long ackWaitMs, List<(InFlightMessage Message, int Generation, int DeliveryCount)> expired)
    {
        lock (Gate)
        {
            foreach (var message in _inFlight)
            {
                if (message.State == InFlightState.Delivered && now - message.DeliveredAt >= ackWaitMs)
                {
                    message.Generation++;
                    message.DeliveryCount++;
                    message.DeliveredAt = now;
                    expired.Add((message, message.Generation, message.DeliveryCount));
                }
            }
        }
    }

    /// <summary>The offset to commit when it moved since the last commit; null otherwise.</summary>
    public TopicPartitionOffset? CommitCandidate()
    {
        lock (Gate)
        {
            var watermark = _inFlight.TryPeek(out var head) ? head.Offset : _next;
            return watermark >= 0 && watermark > _committed ? new TopicPartitionOffset(Partition, new Offset(watermark)) : null;
        }
    }

    /// <summary>Records a successful commit.</summary>
    public void Committed(long offset)
    {
        lock (Gate)
        {
            _committed = Math.Max(_committed, offset);
        }
    }

    /// <summary>Stops tracking; returns how many messages were still unacknowledged.</summary>
    public int Revoke()
    {
        lock (Gate)
        {
            Revoked = true;
            var open = _inFlight.Count(m => m.State != InFlightState.Acked);
            _inFlight.Clear();
            return open;
        }
    }
}
