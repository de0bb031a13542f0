using SmsGateway.Testing;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;

namespace SmsGateway.Bench.Nats;

/// <summary>
/// Consumption through <see cref="NatsTransport"/>: pull + ack throughput of a pre-filled work-queue stream (one
/// operation = one message pulled and acked), and the publish → pull → ack round trip of a single message (p50/p99 of
/// every round trip are printed at cleanup). 128 B payloads, file storage.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(NatsBenchConfig))]
public class NatsConsumeBenchmarks
{
    private const int Messages = 20_000;
    private readonly byte[] _payload = new byte[128];
    private readonly List<double> _latenciesUs = new(1_000_000);
    private NatsServer _server = null!;
    private NatsTransport _transport = null!;
    private IMessageSubscription _normal = null!;
    private IMessageSubscription _express = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = new NatsServer();
        await _server.StartAsync();
        _transport = new NatsTransport(new NatsTransportOptions { Url = _server.Url }, null);
        _normal = await _transport.SubscribeAsync(Topics.Normal, "bench", new SubscriptionOptions { MaxInFlight = 1024 }, CancellationToken.None);
        _express = await _transport.SubscribeAsync(Topics.Express, "bench", new SubscriptionOptions { MaxInFlight = 16 }, CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_latenciesUs.Count > 0)
        {
            _latenciesUs.Sort();
            Console.WriteLine($"// publish->pull->ack round trips: {_latenciesUs.Count}, p50 {Percentile(0.50):F0} us, p99 {Percentile(0.99):F0} us, max {_latenciesUs[^1]:F0} us");
        }

        await _normal.DisposeAsync();
        await _express.DisposeAsync();
        await _transport.DisposeAsync();
        await _server.DisposeAsync();
    }

    [IterationSetup(Target = nameof(PullAck))]
    public void Fill() => FillAsync().GetAwaiter().GetResult();

    /// <summary>Pulls and acks 20k messages already in the stream (the subscription pulls up to 1024 ahead).</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task PullAck()
    {
        for (var i = 0; i < Messages; i++)
        {
            var d = await _normal.Deliveries.ReadAsync(CancellationToken.None);
            await d.AckAsync(CancellationToken.None);
        }
    }

    /// <summary>One message: publish (until PubAck), pull, ack.</summary>
    [Benchmark]
    public async Task PublishPullAckRoundTrip()
    {
        var start = Stopwatch.GetTimestamp();
        await _transport.PublishAsync(Topics.Express, new OutgoingMessage("k", _payload), CancellationToken.None);
        var d = await _express.Deliveries.ReadAsync(CancellationToken.None);
        await d.AckAsync(CancellationToken.None);
        _latenciesUs.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
    }

    private async Task FillAsync()
    {
        var inFlight = new Queue<Task>(4096);
        for (var i = 0; i < Messages; i++)
        {
            if (inFlight.Count == 4096)
            {
                await inFlight.Dequeue();
            }

            inFlight.Enqueue(_transport.PublishAsync(Topics.Normal, new OutgoingMessage("k", _payload), CancellationToken.None).AsTask());
        }

        await Task.WhenAll(inFlight);
    }

    private double Percentile(double p) => _latenciesUs[Math.Min(_latenciesUs.Count - 1, (int)(p * _latenciesUs.Count))];
}
