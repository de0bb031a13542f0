using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka;
using SmsGateway.Transports.Kafka.Testing;

namespace SmsGateway.Bench.Kafka;

/// <summary>
/// Kafka transport against librdkafka's in-process mock cluster (3 brokers, 4 partitions per topic). No Kafka broker can
/// run here, so every number is bounded by the mock (single-threaded, in the same process, sharing the 2 cores), not by
/// Kafka. Baseline: one publish at a time (each waits for its delivery report); <see cref="PublishPipelined"/> keeps
/// <see cref="Batch"/> publishes in flight (msg/s = 1 / mean). <see cref="PublishThenConsume"/> is one publish followed by
/// its delivery on a subscription; per-message p50/p99 of that round trip are printed at cleanup.
/// <see cref="ConsumePipelined"/> publishes <see cref="Batch"/> records without waiting and takes and acks all of them on
/// the subscription (consume msg/s = 1 / mean, publishing included: records published before the measurement would
/// already sit in the consumer's prefetch and measure only the channel).
/// Run: <c>dotnet run -c Release --project bench -- --filter '*KafkaTransport*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class KafkaTransportBenchmarks
{
    private const int Batch = 1000;
    private static readonly byte[] Payload = new byte[200];

    private readonly List<double> _roundTripsMs = [];
    private KafkaMockCluster? _cluster;
    private KafkaTransport? _transport;
    private IMessageSubscription? _subscription;
    private string _topic = string.Empty;
    private int _key;

    /// <summary>Express uses linger 0 ms, normal linger 5 ms (the transport's defaults).</summary>
    [Params(Topics.Express, Topics.Normal)]
    public string Topic { get; set; } = Topics.Express;

    [GlobalSetup(Targets = [nameof(PublishOneAtATime), nameof(PublishPipelined)])]
    public void SetupPublish() => Start();

    [GlobalSetup(Targets = [nameof(PublishThenConsume), nameof(ConsumePipelined)])]
    public void SetupRoundTrip()
    {
        Start();
        _subscription = _transport!.SubscribeAsync(Topic, "bench", new SubscriptionOptions { MaxInFlight = 1024 }, CancellationToken.None)
            .AsTask().GetAwaiter().GetResult();

        // Wait for the group join (the mock delays the first rebalance by about 3 s) with a first round trip.
        PublishThenConsume().GetAwaiter().GetResult();
        _roundTripsMs.Clear();
    }

    [Benchmark(Baseline = true)]
    public ValueTask PublishOneAtATime() =>
        _transport!.PublishAsync(Topic, new OutgoingMessage(NextKey(), Payload), CancellationToken.None);

    [Benchmark(OperationsPerInvoke = Batch)]
    public Task PublishPipelined()
    {
        var tasks = new Task[Batch];
        for (var i = 0; i < Batch; i++)
        {
            tasks[i] = _transport!.PublishAsync(Topic, new OutgoingMessage(NextKey(), Payload), CancellationToken.None).AsTask();
        }

        return Task.WhenAll(tasks);
    }

    [Benchmark]
    public async Task PublishThenConsume()
    {
        var clock = Stopwatch.StartNew();
        await _transport!.PublishAsync(Topic, new OutgoingMessage(NextKey(), Payload), CancellationToken.None);
        var delivery = await _subscription!.Deliveries.ReadAsync(CancellationToken.None);
        await delivery.AckAsync(CancellationToken.None);
        _roundTripsMs.Add(clock.Elapsed.TotalMilliseconds);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task ConsumePipelined()
    {
        var published = PublishPipelined();
        for (var i = 0; i < Batch; i++)
        {
            var delivery = await _subscription!.Deliveries.ReadAsync(CancellationToken.None);
            await delivery.AckAsync(CancellationToken.None);
        }

        await published;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_roundTripsMs.Count > 0)
        {
            _roundTripsMs.Sort();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"// Kafka mock publish->consume ({Topic}, n={_roundTripsMs.Count}): p50 {Percentile(0.50):F3} ms, p99 {Percentile(0.99):F3} ms, max {_roundTripsMs[^1]:F3} ms"));
        }

        _subscription?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _transport?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cluster?.Dispose();
    }

    private double Percentile(double p) => _roundTripsMs[Math.Min(_roundTripsMs.Count - 1, (int)Math.Ceiling(p * _roundTripsMs.Count) - 1)];

    private string NextKey() => $"user-{_key++ % 64}";

    private void Start()
    {
        _cluster = KafkaMockCluster.Start(3);
        _topic = $"bench-{Guid.NewGuid():N}";
        _transport = new KafkaTransport(new KafkaTransportOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            TopicNames = Topics.All.ToDictionary(t => t, t => $"{_topic}-{t}"),
            FetchWaitMaxMs = 10,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 500,
        });

        // Create the topic and connect before measuring.
        _transport.PublishAsync(Topic, new OutgoingMessage("warm-up", Payload), CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }
}
