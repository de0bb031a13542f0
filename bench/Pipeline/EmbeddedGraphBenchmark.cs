using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Serialization;
using SmsGateway.Validation;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// Throughput of the whole embedded graph (accept → reserve under lock → publish → dispatch → simulator → capture → status
/// batch → store), against a baseline of plain <see cref="Channel{T}"/> stages doing the same per-message work
/// (validate, price, reserve, serialize, deserialize, capture, status serialize, store) without the graph's plumbing.
/// One invocation sends <c>Messages</c> messages and waits until each reaches its final status, so Mean is per invocation:
/// msg/s = Messages / Mean. The quick mode (<c>bench -- graph N runs</c>) prints msg/s directly.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class EmbeddedGraphBenchmark
{
    private const int Users = 1000;
    private SendRequest[] _requests = [];

    /// <summary>Messages per invocation.</summary>
    [Params(50_000)]
    public int Messages { get; set; }

    /// <summary>Requests in flight at once (simulated HTTP clients).</summary>
    [Params(1024)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string[] prefixes = ["0912", "0935", "0921", "0901", "0990"];
        _requests = Enumerable.Range(0, Messages).Select(i => new SendRequest(
            $"{prefixes[i % prefixes.Length]}{i % 10_000_000:D7}",
            i % 4 == 0 ? "کد تایید شما: " + i : "Your code is " + i,
            i % 3 == 0 ? "express" : "normal",
            "user" + (i % Users))).ToArray();
    }

    [Benchmark(Baseline = true, Description = "Channel<T> pass-through, same stage work")]
    public async Task<long> ChannelBaseline()
    {
        var ledger = new InMemoryBalanceLedger();
        await ChargeAllAsync(ledger);
        var store = new Status.InMemoryStatusStore();
        var table = OperatorTable.Default;
        var accepted = Channel.CreateBounded<byte[]>(4096);
        var statuses = Channel.CreateBounded<byte[]>(4096);

        var producer = Task.Run(async () =>
        {
            foreach (var r in _requests)
            {
                SendValidator.Validate(r, table, DateTimeOffset.UtcNow, out var m);
                await ledger.ReserveAsync(m!.UserId, [new Reservation(m.Id, m.Cost)], 1, CancellationToken.None);
                await accepted.Writer.WriteAsync(PipelineJson.Serialize(m));
            }

            accepted.Writer.Complete();
        });
        var dispatcher = Task.Run(async () =>
        {
            await foreach (var bytes in accepted.Reader.ReadAllAsync())
            {
                var m = PipelineJson.DeserializeMessage(bytes);
                await ledger.CaptureAsync(m.UserId, m.Id, CancellationToken.None);
                await statuses.Writer.WriteAsync(PipelineJson.Serialize(StatusEvent.For(m, MessageStatus.Sent, DateTimeOffset.UtcNow)));
            }

            statuses.Writer.Complete();
        });
        long written = 0;
        var batch = new List<StatusEvent>(1000);
        await foreach (var bytes in statuses.Reader.ReadAllAsync())
        {
            batch.Add(PipelineJson.DeserializeStatus(bytes));
            if (batch.Count == 1000 || statuses.Reader.Count == 0)
            {
                await store.WriteBatchAsync(batch, CancellationToken.None);
                written += batch.Count;
                batch.Clear();
            }
        }

        await Task.WhenAll(producer, dispatcher);
        return written;
    }

    /// <summary>The graph's options (the defaults unless the quick mode is given <c>lane=</c> or <c>inflight=</c>).</summary>
    public PipelineOptions Options { get; set; } = new();

    /// <summary>Roles started by <see cref="EmbeddedGraph"/>; with only the gateway it measures accept alone (to <c>queued</c>).</summary>
    public PipelineRoles Roles { get; set; } = PipelineRoles.All;

    [Benchmark(Description = "SmsPipeline embedded graph, accept to sent")]
    public async Task<long> EmbeddedGraph()
    {
        var ledger = new InMemoryBalanceLedger();
        await ChargeAllAsync(ledger);
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Options).WithLedger(ledger).Build();
        long finals = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.StatusPublished += e =>
        {
            if (e.Status.IsFinal() && Interlocked.Increment(ref finals) == Messages)
            {
                done.TrySetResult();
            }
        };
        await pipeline.StartAsync(Roles, CancellationToken.None);

        int next = -1;
        var senders = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < _requests.Length)
            {
                var result = await pipeline.SendAsync(_requests[i], CancellationToken.None);
                if (result.Status != AcceptStatus.Queued)
                {
                    throw new InvalidOperationException($"request {i} was {result.Status}: {result.Detail}");
                }
            }
        }));
        await Task.WhenAll(senders);
        if (Roles.HasFlag(PipelineRoles.Dispatcher))
        {
            await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }

        await pipeline.StopAsync(CancellationToken.None);
        return finals;
    }

    private static async Task ChargeAllAsync(IBalanceLedger ledger)
    {
        for (int u = 0; u < Users; u++)
        {
            await ledger.ChargeAsync("user" + u, 1_000_000_000, "c", CancellationToken.None);
        }
    }
}
