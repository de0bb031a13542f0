using System.Text;
using Confluent.Kafka;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka.Diagnostics;

namespace SmsGateway.Transports.Kafka.Consuming;

/// <summary>The consume loop: the only thread that touches the consumer (rebalance callbacks run inside Consume).</summary>
internal sealed partial class KafkaSubscription
{
    private const int IdlePollMs = 50;
    private const int BusyPollMs = 2;
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];
    private readonly Queue<KafkaDelivery> _pending = new();
    private readonly List<(InFlightMessage Message, int Generation, int DeliveryCount)> _expired = [];
    private const int PauseAfterMs = 500;

    private readonly ManualResetEventSlim _room = new(false);
    private TransportException? _fatal;
    private bool _paused;
    private bool _waitingForRoom;
    private long _fullSince = -1;

    private void Run()
    {
        var nextCommit = Environment.TickCount64 + _options.CommitIntervalMs;
        var ackWaitMs = (long)_subscription.AckWait.TotalMilliseconds;
        var nextScan = Environment.TickCount64 + Math.Min(1000, ackWaitMs);
        try
        {
            while (!_stopping && _fatal is null)
            {
                var now = Environment.TickCount64;
                ReleaseDue(now);
                if (now >= nextScan)
                {
                    RedeliverExpired(now, ackWaitMs);
                    nextScan = now + Math.Min(1000, ackWaitMs);
                }

                FlushPending();
                if (now >= nextCommit)
                {
                    Commit(_partitions.Values, "interval");
                    nextCommit = now + _options.CommitIntervalMs;
                }

                if (!HasRoom(now))
                {
                    continue;
                }

                var timeout = _pending.Count > 0 ? BusyPollMs : MsUntilNextDue(now, IdlePollMs);
                ConsumeResult<string, byte[]>? result;
                try
                {
                    result = _consumer.Consume(timeout);
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    Log.ConsumeError(_logger, ConsumerGroup, _kafkaTopic, e.Error.Code.ToString(), e.Error.Reason);
                    Thread.Sleep(IdlePollMs);
                    continue;
                }
                catch (ConsumeException e)
                {
                    Fail(e.Error, e);
                    break;
                }

                if (result?.Message is not null)
                {
                    Track(result);
                }
            }
        }
        catch (Exception e)
        {
            Log.LoopFailed(_logger, ConsumerGroup, _kafkaTopic, e);
            _fatal ??= new TransportException($"Kafka consumer of group '{ConsumerGroup}' on '{_kafkaTopic}' failed: {e.Message}", e);
        }
        finally
        {
            Shutdown();
        }
    }

    private void Track(ConsumeResult<string, byte[]> result)
    {
        if (!_partitions.TryGetValue(result.TopicPartition, out var partition) || partition.IsBehind(result.Offset.Value))
        {
            return;
        }

        var message = new InFlightMessage(partition, result, ReadHeaders(result.Message.Headers))
        {
            DeliveryCount = 1,
            Generation = 1,
            DeliveredAt = Environment.TickCount64,
            State = InFlightState.Delivered,
        };
        if (!partition.TryTrack(message))
        {
            return;
        }

        Interlocked.Increment(ref _unacked);
        Offer(new KafkaDelivery(this, message, 1, 1));
    }

    /// <summary>Writes to the channel, or queues behind earlier deliveries that did not fit.</summary>
    private void Offer(KafkaDelivery delivery)
    {
        if (_pending.Count > 0 || !_channel.Writer.TryWrite(delivery))
        {
            _pending.Enqueue(delivery);
        }
    }

    private void FlushPending()
    {
        while (_pending.TryPeek(out var delivery))
        {
            if (delivery.IsCurrent && !_channel.Writer.TryWrite(delivery))
            {
                return;
            }

            _pending.Dequeue();
        }
    }

    /// <summary>
    /// Backpressure. While <see cref="SubscriptionOptions.MaxInFlight"/> deliveries are unacknowledged (or the channel is
    /// full) the loop stops taking records from librdkafka, whose prefetch queue is bounded (<c>queued.min.messages</c>,
    /// <c>queued.max.messages.kbytes</c>), and waits for an ack. Full for longer than <see cref="PauseAfterMs"/>, it pauses
    /// every assigned partition and goes back to polling so rebalance events and the poll interval are served; it resumes
    /// once there is room. Pausing is not the first step because a resumed partition's next record arrives about 0.5 s
    /// later (librdkafka 2.16 as 2.0.2; measured in docs/kafka.md, "Removed workarounds").
    /// </summary>
    /// <returns>True when the loop may consume now (there is room, or the partitions are paused).</returns>
    private bool HasRoom(long now)
    {
        var full = Volatile.Read(ref _unacked) >= _subscription.MaxInFlight || _pending.Count > 0;
        if (!full)
        {
            _fullSince = -1;
            if (_paused)
            {
                _consumer.Resume(_consumer.Assignment);
                _paused = false;
            }

            return true;
        }

        if (_paused)
        {
            return true;
        }

        if (_fullSince < 0)
        {
            _fullSince = now;
        }
        else if (now - _fullSince >= PauseAfterMs)
        {
            _consumer.Pause(_consumer.Assignment);
            _paused = true;
            return true;
        }

        Volatile.Write(ref _waitingForRoom, true);
        _room.Wait(_pending.Count > 0 ? BusyPollMs : MsUntilNextDue(now, 20));
        Volatile.Write(ref _waitingForRoom, false);
        _room.Reset();
        return false;
    }

    /// <summary>Wakes the loop waiting for room (ack thread). The event is never disposed, so a late ack is harmless.</summary>
    private void WakeForRoom() => _room.Set();

    private void RedeliverExpired(long now, long ackWaitMs)
    {
        _expired.Clear();
        foreach (var partition in _partitions.Values)
        {
            partition.CollectExpired(now, ackWaitMs, _expired);
        }

        foreach (var (message, generation, count) in _expired)
        {
            Offer(new KafkaDelivery(this, message, generation, count));
        }
    }

    /// <summary>Commits the watermark of each partition that moved; failures are logged and retried next time.</summary>
    private void Commit(IEnumerable<PartitionState> partitions, string reason)
    {
        List<TopicPartitionOffset>? offsets = null;
        foreach (var partition in partitions)
        {
            if (partition.CommitCandidate() is { } candidate)
            {
                (offsets ??= []).Add(candidate);
            }
        }

        if (offsets is null)
        {
            return;
        }

        try
        {
            _consumer.Commit(offsets);
            foreach (var offset in offsets)
            {
                if (_partitions.TryGetValue(offset.TopicPartition, out var partition))
                {
                    partition.Committed(offset.Offset.Value);
                }
            }
        }
        catch (KafkaException e)
        {
            Log.CommitFailed(_logger, ConsumerGroup, _kafkaTopic, $"{reason}: {e.Error.Code} {e.Error.Reason}");
        }
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            Fail(error, null);
        }
        else
        {
            Log.TransientError(_logger, "consumer", error.Code.ToString(), error.Reason);
        }
    }

    private void Fail(Error error, Exception? exception)
    {
        Log.FatalError(_logger, "consumer", error.Code.ToString(), error.Reason);
        _fatal ??= new TransportException(
            $"Kafka consumer of group '{ConsumerGroup}' on '{_kafkaTopic}' failed fatally: {error.Code} {error.Reason}", exception);
    }

    private void Shutdown()
    {
        try
        {
            if (_fatal is null)
            {
                Commit(_partitions.Values, "close");
            }

            _consumer.Close();
        }
        catch (KafkaException e)
        {
            Log.CommitFailed(_logger, ConsumerGroup, _kafkaTopic, $"close: {e.Error.Code} {e.Error.Reason}");
        }
        catch (InvalidOperationException e)
        {
            Log.CommitFailed(_logger, ConsumerGroup, _kafkaTopic, $"close: {e.Message}");
        }
        finally
        {
            _consumer.Dispose();
            _pending.Clear();
            _channel.Writer.TryComplete(_fatal);
            Log.Stopped(_logger, ConsumerGroup, _kafkaTopic);
            _stopped.TrySetResult();
        }
    }

    private static IReadOnlyDictionary<string, string> ReadHeaders(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return NoHeaders;
        }

        var map = new Dictionary<string, string>(headers.Count, StringComparer.Ordinal);
        foreach (var header in headers)
        {
            var value = header.GetValueBytes();
            map[header.Key] = value is null ? string.Empty : Encoding.UTF8.GetString(value);
        }

        return map;
    }
}
