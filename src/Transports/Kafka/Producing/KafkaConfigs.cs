using Confluent.Kafka;

namespace SmsGateway.Transports.Kafka.Producing;

/// <summary>librdkafka configurations built from <see cref="KafkaTransportOptions"/>.</summary>
internal static class KafkaConfigs
{
    /// <summary>An idempotent, acks=all producer with the given linger (ms).</summary>
    public static ProducerConfig Producer(KafkaTransportOptions options, double lingerMs)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            MaxInFlight = 5,
            MessageTimeoutMs = options.PublishTimeoutMs,
            RequestTimeoutMs = Math.Min(options.PublishTimeoutMs, 30_000),
            LingerMs = lingerMs,
            QueueBufferingMaxMessages = options.ProducerQueueMaxMessages,
            DeliveryReportFields = "status",
        };
        Apply(config, options);
        return config;
    }

    /// <summary>A consumer of group <paramref name="groupId"/> with manual commits and no automatic offset store.</summary>
    public static ConsumerConfig Consumer(KafkaTransportOptions options, string groupId, int maxInFlight)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId,
            GroupId = groupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = false,
            AutoOffsetReset = options.AutoOffsetReset == "latest" ? Confluent.Kafka.AutoOffsetReset.Latest : Confluent.Kafka.AutoOffsetReset.Earliest,
            SessionTimeoutMs = options.SessionTimeoutMs,
            HeartbeatIntervalMs = options.HeartbeatIntervalMs,
            FetchWaitMaxMs = options.FetchWaitMaxMs,

            // Bounds librdkafka's prefetch queue per partition (default 100000 messages).
            QueuedMinMessages = Math.Max(1000, maxInFlight),
        };
        Apply(config, options);
        return config;
    }

    private static void Apply(ClientConfig config, KafkaTransportOptions options)
    {
        foreach (var (key, value) in options.Additional)
        {
            config.Set(key, value);
        }
    }
}
