using Confluent.Kafka;
using SmsGateway.Transports.Kafka.Native;

namespace SmsGateway.Transports.Kafka.Testing;

/// <summary>
/// librdkafka's in-process mock cluster (<c>test.mock.num.brokers</c>), for tests and benchmarks where no Kafka broker
/// can run. It lives as long as the producer that hosts it; topics are created on first use with 4 partitions.
/// Not Kafka: its throughput and latency are the mock's, not a broker's.
/// </summary>
internal sealed class KafkaMockCluster : IDisposable
{
    private readonly IProducer<byte[], byte[]> _host;

    private KafkaMockCluster(IProducer<byte[], byte[]> host, string bootstrapServers)
    {
        _host = host;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated <c>127.0.0.1:port</c> of the mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts a mock cluster of <paramref name="brokers"/> brokers.</summary>
    public static KafkaMockCluster Start(int brokers = 3)
    {
        LibrdkafkaLoader.EnsureLoaded(null);
        var config = new ProducerConfig { BootstrapServers = "dummy:9092" };
        config.Set("test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var host = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        using var admin = new DependentAdminClientBuilder(host.Handle).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        var servers = string.Join(",", metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
        return new KafkaMockCluster(host, servers);
    }

    public void Dispose() => _host.Dispose();
}
