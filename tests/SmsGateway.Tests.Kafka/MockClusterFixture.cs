using SmsGateway.Transports.Kafka;
using SmsGateway.Transports.Kafka.Testing;

namespace SmsGateway.Tests.Kafka;

/// <summary>One in-process librdkafka mock cluster (3 brokers) shared by a test collection; each test uses unique topics and groups.</summary>
public sealed class MockClusterFixture : IDisposable
{
    private readonly KafkaMockCluster _cluster = KafkaMockCluster.Start(3);

    public string BootstrapServers => _cluster.BootstrapServers;

    /// <summary>Options for this cluster with test-friendly timings (fast fetches and commits, short sessions).</summary>
    public KafkaTransportOptions Options(string topicPrefix) => TestOptions.For(BootstrapServers, topicPrefix);

    public void Dispose() => _cluster.Dispose();
}

[CollectionDefinition(Name)]
public sealed class MockClusterCollection : ICollectionFixture<MockClusterFixture>
{
    public const string Name = "kafka mock cluster";
}
