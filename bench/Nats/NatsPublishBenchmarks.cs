using SmsGateway.Testing;
using BenchmarkDotNet.Attributes;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;

namespace SmsGateway.Bench.Nats;

/// <summary>
/// Publish throughput over NATS.Net 3.3.2 against a local nats-server 2.9: core PUB (baseline, fire-and-forget),
/// JetStream publish-with-ack with 1, 256 or 4096 publishes in flight (NATS.Net <c>PublishAsync</c>, acks on the shared
/// reply inbox; and <c>PublishConcurrentAsync</c>, one reply subscription per publish), and the same window through
/// <see cref="NatsTransport.PublishAsync"/> (headers, message id, retry loop). One operation = one message (128 B payload).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(NatsBenchConfig))]
public class NatsPublishBenchmarks
{
    private const int Messages = 20_000;
    private static readonly NatsRawSerializer<byte[]> Raw = NatsRawSerializer<byte[]>.Default;
    private readonly byte[] _payload = new byte[128];
    private NatsServer _server = null!;
    private NatsConnection _connection = null!;
    private NatsJSContext _js = null!;
    private NatsTransport _transport = null!;

    /// <summary>JetStream publishes awaiting their ack at once.</summary>
    [Params(1, 256, 4096)]
    public int Window { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = new NatsServer();
        await _server.StartAsync();
        _connection = new NatsConnection(new NatsOpts { Url = _server.Url });
        await _connection.ConnectAsync();
        _js = new NatsJSContext(_connection);
        await _js.CreateStreamAsync(new StreamConfig { Name = "BENCH", Subjects = ["bench.js"], Storage = StreamConfigStorage.File, MaxMsgs = 1_000_000 }, CancellationToken.None);
        // status topic: limits retention, so the stream keeps growing like BENCH instead of a work queue
        _transport = new NatsTransport(new NatsTransportOptions { Url = _server.Url }, null);
        await _transport.EnsureReadyAsync(CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _transport.DisposeAsync();
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>Core PUB of 200k messages, then one PING/PONG round trip so all reached the server.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Messages * 10)]
    public async Task CorePublish()
    {
        for (var i = 0; i < Messages * 10; i++)
        {
            await _connection.PublishAsync("bench.core", _payload, serializer: Raw);
        }

        await _connection.PingAsync();
    }

    /// <summary>JetStream publish (NATS.Net <c>PublishAsync</c>), each completing on its PubAck, <see cref="Window"/> in flight.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task JetStreamPublishAck()
    {
        var inFlight = new Queue<Task<PubAckResponse>>(Window);
        for (var i = 0; i < Messages; i++)
        {
            if (inFlight.Count == Window)
            {
                Check(await inFlight.Dequeue());
            }

            inFlight.Enqueue(_js.PublishAsync("bench.js", _payload, Raw).AsTask());
        }

        while (inFlight.Count > 0)
        {
            Check(await inFlight.Dequeue());
        }
    }

    /// <summary>JetStream publish with NATS.Net <c>PublishConcurrentAsync</c>: the futures of <see cref="Window"/> publishes are awaited in order.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task JetStreamPublishConcurrent()
    {
        var inFlight = new Queue<NatsJSPublishConcurrentFuture>(Window);
        for (var i = 0; i < Messages; i++)
        {
            if (inFlight.Count == Window)
            {
                await using var done = inFlight.Dequeue();
                Check(await done.GetResponseAsync());
            }

            inFlight.Enqueue(await _js.PublishConcurrentAsync("bench.js", _payload, Raw));
        }

        while (inFlight.Count > 0)
        {
            await using var done = inFlight.Dequeue();
            Check(await done.GetResponseAsync());
        }
    }

    /// <summary><see cref="NatsTransport.PublishAsync"/> on the status topic (headers + message id), <see cref="Window"/> in flight.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task TransportPublish()
    {
        var inFlight = new Queue<Task>(Window);
        for (var i = 0; i < Messages; i++)
        {
            if (inFlight.Count == Window)
            {
                await inFlight.Dequeue();
            }

            inFlight.Enqueue(_transport.PublishAsync(Topics.Status, new OutgoingMessage("k", _payload, Guid.NewGuid().ToString("N")), CancellationToken.None).AsTask());
        }

        await Task.WhenAll(inFlight);
    }

    private static void Check(PubAckResponse ack)
    {
        if (ack.Error is not null)
        {
            throw new InvalidOperationException($"publish refused: {ack.Error.Description}");
        }
    }
}
