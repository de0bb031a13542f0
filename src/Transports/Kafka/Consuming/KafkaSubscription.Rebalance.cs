using Confluent.Kafka;
using SmsGateway.Transports.Kafka.Diagnostics;

namespace SmsGateway.Transports.Kafka.Consuming;

/// <summary>Rebalance callbacks; librdkafka calls them on the consume thread, from inside Consume or Close.</summary>
internal sealed partial class KafkaSubscription
{
    private void OnAssigned(List<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            _partitions[tp] = new PartitionState(tp);
        }

        // The new assignment starts unpaused; the next loop turn pauses it again if the channel is still full.
        _paused = false;
        Log.Assigned(_logger, ConsumerGroup, _kafkaTopic, Describe(partitions));
    }

    private void OnRevoked(List<TopicPartitionOffset> revoked)
    {
        var states = States(revoked);
        Commit(states, "revoke");
        Drop(states);
        Log.Revoked(_logger, ConsumerGroup, _kafkaTopic, Describe(revoked.Select(r => r.TopicPartition)));
    }

    private void OnLost(List<TopicPartitionOffset> lost)
    {
        Drop(States(lost));
        Log.Lost(_logger, ConsumerGroup, _kafkaTopic, Describe(lost.Select(r => r.TopicPartition)));
    }

    private List<PartitionState> States(List<TopicPartitionOffset> partitions)
    {
        var states = new List<PartitionState>(partitions.Count);
        foreach (var p in partitions)
        {
            if (_partitions.TryGetValue(p.TopicPartition, out var state))
            {
                states.Add(state);
            }
        }

        return states;
    }

    /// <summary>Forgets revoked partitions: their queued deliveries are dropped by the reader, their acks ignored.</summary>
    private void Drop(List<PartitionState> states)
    {
        foreach (var state in states)
        {
            var open = state.Revoke();
            Interlocked.Add(ref _unacked, -open);
            _partitions.Remove(state.Partition);
        }
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(",", partitions.Select(p => p.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
