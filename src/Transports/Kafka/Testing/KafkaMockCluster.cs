using System.Globalization;
using Confluent.Kafka;
using SmsGateway.Model;

namespace SmsGateway.Transports.Kafka.Testing;

/// <summary>
/// librdkafka's in-process mock cluster (<c>test.mock.num.brokers</c>), for tests and benchmarks where no Kafka broker
/// can run. Its brokers listen on loopback TCP ports, so other processes and clients (kcat) reach it too. It lives as
/// long as the producer handle that hosts it: <see cref="Stop"/> destroys it (every broker gone at once). The pipeline's
/// topics under their default names (<see cref="Topics.All"/> and <c>sms-dead</c>) are created at start, 4 partitions
/// each, as a deployment provisions them; any other topic is created on first use, also with 4 partitions. Not Kafka: its
/// throughput and latency are the mock's, not a broker's.
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

    /// <summary>Starts a mock cluster of <paramref name="brokers"/> brokers, waits (up to 10 s) for its metadata and creates
    /// the pipeline's topics (auto-creating them on the first publish instead took over the 900-ms accept deadline on a busy
    /// machine, so a test's first sends answered 503).</summary>
    /// <exception cref="KafkaException">The mock did not answer its first metadata request, or a topic got no partition leaders within 10 s.</exception>
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
            foreach (var topic in Topics.All.Append(KafkaTransportOptions.Default.DeadLetterTopic))
            {
                CreateTopic(admin, topic);
            }

            return new KafkaMockCluster(host, servers);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    // The mock never names a controller, so CreateTopics cannot run: a metadata request for the topic auto-creates it (the
    // mock allows it); asked again until every partition has a leader (at most 10 s).
    private static void CreateTopic(IAdminClient admin, string topic)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var found = admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.FirstOrDefault(t => t.Topic == topic);
            if (found is { Error.IsError: false } && found.Partitions.Count > 0 && found.Partitions.All(p => p.Leader >= 0))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"mock topic {topic} has no leader after 10 s: {found?.Error}"));
            }

            Thread.Sleep(20);
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
