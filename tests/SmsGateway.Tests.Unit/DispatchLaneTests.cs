using System.Collections.Concurrent;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Routing;

namespace SmsGateway.Tests.Unit;

/// <summary>Lanes seen through the whole dispatch stage: reloads and one operator stalling.</summary>
public sealed class DispatchLaneTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lanes").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string Table(int mciConcurrency, int mciRate) => $$"""
        {
          "operators": [
            { "name": "MCI", "prefixes": ["0912"], "price_per_segment": 1, "max_concurrency": {{mciConcurrency}}, "rate_limit_per_second": {{mciRate}}, "send_timeout_ms": 60000 },
            { "name": "MTN", "prefixes": ["0935"], "price_per_segment": 1, "max_concurrency": 4, "rate_limit_per_second": 0, "send_timeout_ms": 60000 }
          ]
        }
        """;

    [Fact(Timeout = 30_000)]
    public async Task One_stalled_operator_does_not_stall_the_others()
    {
        var client = new GatedClient("MCI");
        var ledger = new InMemoryBalanceLedger();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(new PipelineOptions { LaneCapacity = 2, ShutdownTimeout = TimeSpan.FromMilliseconds(500) })
            .WithOperatorTable(OperatorTable.Parse(Table(1, 0))).WithLedger(ledger).WithOperatorClient(client).Build();
        var sent = new ConcurrentDictionary<Guid, string>();
        pipeline.StatusPublished += e => { if (e.Status == MessageStatus.Sent) sent[e.MessageId] = e.Operator; };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u", 1_000_000, "c", CancellationToken.None);

        // MCI: one send in flight that never ends, then its lane (capacity 2) fills up, then more wait behind it.
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(AcceptStatus.Queued, (await pipeline.SendAsync(new SendRequest("09121234567", "mci " + i, "normal", "u"), CancellationToken.None)).Status);
        }

        var mtn = await pipeline.SendAsync(new SendRequest("09351234567", "mtn", "normal", "u"), CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!sent.ContainsKey(mtn.Message!.Id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(sent.ContainsKey(mtn.Message.Id), "an MTN message waited behind MCI's full lane");
        client.Release();
    }

    [Fact(Timeout = 30_000)]
    public async Task Reloading_operator_json_changes_an_existing_lanes_concurrency()
    {
        string path = Path.Combine(_dir, "operator.json");
        await File.WriteAllTextAsync(path, Table(1, 0));
        using var routes = new OperatorTableSource(path);
        var client = new GatedClient("MCI");
        var ledger = new InMemoryBalanceLedger();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(new PipelineOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(500) }).WithOperatorTable(routes).WithLedger(ledger).WithOperatorClient(client).Build();
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u", 1_000_000, "c", CancellationToken.None);
        for (int i = 0; i < 10; i++)
        {
            await pipeline.SendAsync(new SendRequest("09121234567", "mci " + i, "normal", "u"), CancellationToken.None);
        }

        await client.WaitForInFlightAsync(1);
        await Task.Delay(200);
        Assert.Equal(1, client.MaxInFlight);

        await File.WriteAllTextAsync(path, Table(4, 0));
        Assert.True(routes.Reload());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (client.InFlight < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(4, client.InFlight);
        client.Release();
    }

    /// <summary>Sends to <c>gated</c> never finish until <see cref="Release"/>; others succeed at once.</summary>
    internal sealed class GatedClient(string gated) : IOperatorClient
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _maxInFlight;

        public int InFlight => Volatile.Read(ref _inFlight);

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public void Release() => _gate.TrySetResult();

        public async Task WaitForInFlightAsync(int count)
        {
            while (InFlight < count)
            {
                await Task.Delay(10);
            }
        }

        public async ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
        {
            if (!string.Equals(message.Operator, gated, StringComparison.Ordinal))
            {
                return SendResult.Accepted;
            }

            int now = Interlocked.Increment(ref _inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
            {
            }

            await _gate.Task;
            Interlocked.Decrement(ref _inFlight);
            return SendResult.Accepted;
        }
    }
}
