using System.Globalization;
using Confluent.Kafka;

namespace SmsGateway.Transports.Kafka.Testing;

/// <summary>
/// librdkafka's in-process mock cluster (<c>test.mock.num.brokers</c>), for tests and benchmarks where no Kafka broker
/// can run. Its brokers listen on loopback TCP ports, so other processes and clients (kcat) reach it too. It lives as
/// long as the producer handle that hosts it: <see cref="Stop"/> destroys it (every broker gone at once). Topics are
/// created on first use with 4 partitions. Not Kafka: its throughput and latency are the mock's, not a broker's.
/// </summary>
/// <remarks>Thread-safe; <see cref="Stop"/> and <see cref="Dispose"/> may be called more than once.</remarks>
internal sealed class KafkaMockCluster : IDisposable
{
    private readonly Lock _gate = new();
    private IProducer<byte[], byte[]>? _host;

    private KafkaMockCluster(IProducer<byte[], byte[]> host, string bootstrapServers)
    {
        _host = host;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated <c>127.0.0.1:port</c> of the mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts a mock cluster of <paramref name="brokers"/> brokers and waits (up to 10 s) for its metadata.</summary>
    /// <exception cref="KafkaException">The mock did not answer its first metadata request.</exception>
    public static KafkaMockCluster Start(int brokers = 3)
    {
        var config = new ProducerConfig { BootstrapServers = "dummy:9092" };
        config.Set("test.mock.num.brokers", brokers.ToString(CultureInfo.InvariantCulture));
        var host = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        try
        {
            using var admin = new DependentAdminClientBuilder(host.Handle).Build();
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
            var servers = string.Join(",", metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
            return new KafkaMockCluster(host, servers);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Destroys the mock: its brokers close their sockets, and clients see every broker gone.</summary>
    public void Stop()
    {
        IProducer<byte[], byte[]>? host;
        lock (_gate)
        {
            host = _host;
            _host = null;
        }

        host?.Dispose();
    }

    /// <summary>Same as <see cref="Stop"/>.</summary>
    public void Dispose() => Stop();
}
