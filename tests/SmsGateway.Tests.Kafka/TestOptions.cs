using SmsGateway.Model;
using SmsGateway.Transports.Kafka;

namespace SmsGateway.Tests.Kafka;

internal static class TestOptions
{
    /// <summary>Options whose four topics are unique to one test (<paramref name="topicPrefix"/> + pipeline name).</summary>
    public static KafkaTransportOptions For(string bootstrapServers, string topicPrefix) => new()
    {
        BootstrapServers = bootstrapServers,
        TopicNames = Topics.All.ToDictionary(t => t, t => $"{topicPrefix}-{t}"),
        GroupIdPrefix = topicPrefix + "-",
        FetchWaitMaxMs = 10,
        SessionTimeoutMs = 5000,
        HeartbeatIntervalMs = 500,
        CommitIntervalMs = 50,
        PublishTimeoutMs = 5000,
    };

    public static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];
}
