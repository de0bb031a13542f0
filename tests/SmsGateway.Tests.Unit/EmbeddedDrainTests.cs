using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Model;

namespace SmsGateway.Tests.Unit;

/// <summary>Issue 12 item 8: a graceful stop of the embedded pipeline settles every accepted message within the shutdown timeout.</summary>
public sealed class EmbeddedDrainTests
{
    [Fact(Timeout = 60_000)]
    public async Task Stop_sends_what_is_still_queued_in_the_in_memory_transport()
    {
        var ledger = new InMemoryBalanceLedger();
        // Small lanes: most accepted messages wait in the transport, where the stop used to leave them.
        var options = new PipelineOptions { LaneCapacity = 4, LaneFullDelay = TimeSpan.FromMilliseconds(20), ShutdownTimeout = TimeSpan.FromSeconds(30), AcceptQueueBudget = TimeSpan.Zero };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLedger(ledger)
            .WithOperatorSimulator(new OperatorSimulatorOptions { Latency = TimeSpan.FromMilliseconds(20) }).Build();
        var finals = new ConcurrentDictionary<Guid, MessageStatus>();
        pipeline.StatusPublished += e => { if (e.Status.IsFinal()) finals[e.MessageId] = e.Status; };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("drain", 100_000_000, "c", CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 600).Select(i =>
            pipeline.SendAsync(new SendRequest($"0912{i:D7}", "drain " + i, "normal", "drain"), CancellationToken.None)));
        Assert.All(results, r => Assert.Equal(AcceptStatus.Queued, r.Status));
        await pipeline.StopAsync(CancellationToken.None);

        Assert.All(results, r => Assert.Equal(MessageStatus.Sent, finals.GetValueOrDefault(r.Message!.Id)));
        var balance = await ledger.GetBalanceAsync("drain", CancellationToken.None);
        Assert.Equal(0, balance.Reserved);
        Assert.Equal(results.Sum(r => r.Message!.Cost), balance.Spent);
    }

    [Fact(Timeout = 60_000)]
    public async Task Stop_out_of_time_fails_and_refunds_what_was_not_sent()
    {
        var ledger = new InMemoryBalanceLedger();
        var options = new PipelineOptions { ShutdownTimeout = TimeSpan.FromSeconds(12), AcceptQueueBudget = TimeSpan.Zero }; // the burst below is not under test
        var logs = new FakeLogCollector();
        using var loggerFactory = new LoggerFactory([new FakeLoggerProvider(logs)]);
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLedger(ledger).WithLoggerFactory(loggerFactory)
            .WithOperatorSimulator(new OperatorSimulatorOptions { Latency = TimeSpan.FromMilliseconds(250) }).Build();
        var finals = new ConcurrentDictionary<Guid, ConcurrentBag<StatusEvent>>();
        pipeline.StatusPublished += e => { if (e.Status.IsFinal()) finals.GetOrAdd(e.MessageId, _ => []).Add(e); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("late", 100_000_000, "c", CancellationToken.None);

        // MCI sends 64 at a time, 250 ms each: at most ~2,300 of 3,000 fit in the 9 s the drain may take (12 s less at most
        // 3 s); the 3 s left are for stopping the dispatchers (their sends in progress end) and failing the rest. In six runs
        // of the whole Unit project on 2 cores, with 500-ms sends, the dispatchers took 0.37-1.49 s to stop and failing ~2,050
        // messages 20 ms; one CI run with the 10-s timeout (2.5 s left) ran out of time, so the sends in progress are shorter.
        var results = await Task.WhenAll(Enumerable.Range(0, 3000).Select(i =>
            pipeline.SendAsync(new SendRequest($"0912{i:D7}", "late " + i, "normal", "late"), CancellationToken.None)));
        Assert.All(results, r => Assert.Equal(AcceptStatus.Queued, r.Status));
        var stop = Stopwatch.StartNew();
        await pipeline.StopAsync(CancellationToken.None);
        stop.Stop();

        long sentCost = 0;
        int failed = 0;
        foreach (var r in results)
        {
            Assert.True(finals.TryGetValue(r.Message!.Id, out var events),
                $"message {r.Message.Id} has no final status; the stop took {stop.ElapsedMilliseconds} ms; its log: " +
                string.Join(" | ", logs.GetSnapshot().Where(l => l.Level >= LogLevel.Warning || l.Id.Id is >= 7110 and <= 7112).Select(l => $"{l.Id.Id} {l.Message}")));
            var only = Assert.Single(events);
            if (only.Status == MessageStatus.Sent)
            {
                sentCost += r.Message.Cost;
            }
            else
            {
                Assert.Equal(MessageStatus.Failed, only.Status);
                Assert.Equal("shutdown", only.ErrorCode);
                failed++;
            }
        }

        Assert.True(failed > 0, "the stop should have run out of time");
        var balance = await ledger.GetBalanceAsync("late", CancellationToken.None);
        Assert.Equal(0, balance.Reserved);
        Assert.Equal(sentCost, balance.Spent);
        Assert.Equal(100_000_000 - sentCost, balance.Available);
    }
}
