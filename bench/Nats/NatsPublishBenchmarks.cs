using SmsGateway.Testing;
using BenchmarkDotNet.Attributes;
using SmsGateway.Transports.Nats.Client;
using SmsGateway.Transports.Nats.Client.JetStream;
using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Bench.Nats;

/// <summary>
/// Publish throughput of the project's NATS client against a local nats-server 2.9: core PUB (baseline, fire-and-forget)
/// and JetStream publish-with-ack with 1, 256 or 4096 publishes in flight. One operation = one message (128 B payload).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(NatsBenchConfig))]
public class NatsPublishBenchmarks
{
    private const int Messages = 20_000;
    private readonly byte[] _payload = new byte[128];
    private NatsServer _server = null!;
    private NatsConnection _connection = null!;
    private NatsJSContext _js = null!;

    /// <summary>JetStream publishes awaiting their ack at once.</summary>
    [Params(1, 256, 4096)]
    public int Window { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = new NatsServer();
        await _server.StartAsync();
        _connection = new NatsConnection(new NatsOpts { Url = _server.Url });
        await _connection.ConnectAsync(CancellationToken.None);
        _js = new NatsJSContext(_connection);
        await _js.CreateStreamAsync(new StreamConfig { Name = "BENCH", Subjects = ["bench.js"], Storage = StreamConfigStorage.File, MaxMsgs = 1_000_000 }, CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>Core PUB of 20k messages, then one PING/PONG round trip so all reached the server.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Messages * 10)]
    public async Task CorePublish()
    {
        for (var i = 0; i < Messages * 10; i++)
        {
            await _connection.PublishAsync("bench.core", _payload, CancellationToken.None);
        }

        await _connection.PingAsync(CancellationToken.None);
    }

    /// <summary>JetStream publish, each completing on its PubAck, <see cref="Window"/> in flight.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task JetStreamPublishAck()
    {
        var inFlight = new Queue<Task<PubAckResponse>>(Window);
        for (var i = 0; i < Messages; i++)
        {
            if (inFlight.Count == Window)
            {
                (await inFlight.Dequeue()).EnsureSuccess();
            }

            inFlight.Enqueue(_js.PublishAsync("bench.js", _payload, null, null, null, CancellationToken.None).AsTask());
        }

        while (inFlight.Count > 0)
        {
            (await inFlight.Dequeue()).EnsureSuccess();
        }
    }
}
