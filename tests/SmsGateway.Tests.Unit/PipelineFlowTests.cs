using System.Collections.Concurrent;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Tests.Unit;

public sealed class PipelineFlowTests
{
    [Fact(Timeout = 30_000)]
    public async Task Express_message_is_sent_captured_and_reported()
    {
        var ledger = new InMemoryBalanceLedger();
        var store = new InMemoryStatusStore();
        await using var pipeline = new SmsPipelineBuilder().WithLedger(ledger).WithStatusStore(store).Build();
        var final = new TaskCompletionSource<StatusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.StatusPublished += e => { if (e.Status.IsFinal()) final.TrySetResult(e); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("123", 123456, "c1", CancellationToken.None);

        var result = await pipeline.SendAsync(new SendRequest("09121234567", "کد تایید: 1234", "express", "123"), CancellationToken.None);

        Assert.Equal(AcceptStatus.Queued, result.Status);
        Assert.Equal("MCI", result.Message!.Operator);
        Assert.Equal(SmsEncoding.Ucs2, result.Message.Encoding);
        Assert.Equal(1, result.Message.Segments);
        var sent = await final.Task;
        Assert.Equal(MessageStatus.Sent, sent.Status);
        var balance = await ledger.GetBalanceAsync("123", CancellationToken.None);
        Assert.Equal(123456 - result.Message.Cost, balance.Available);
        Assert.Equal(result.Message.Cost, balance.Spent);
        Assert.Equal(0, balance.Reserved);

        await pipeline.StopAsync(CancellationToken.None);
        var history = await store.GetMessageAsync(result.Message.Id, "123", CancellationToken.None);
        Assert.NotNull(history);
        Assert.Equal(MessageStatus.Sent, history.Message.Status);
    }

    [Fact(Timeout = 60_000)]
    public async Task Failures_are_retried_then_refunded_and_every_message_ends_once()
    {
        var ledger = new InMemoryBalanceLedger();
        var store = new InMemoryStatusStore();
        var options = new PipelineOptions { Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) } };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLedger(ledger).WithStatusStore(store)
            .WithOperatorSimulator(new OperatorSimulatorOptions { TransientFailureRate = 0.3, PermanentFailureRate = 0.05, Seed = 7 }).Build();
        var finals = new ConcurrentDictionary<Guid, int>();
        pipeline.StatusPublished += e => { if (e.Status.IsFinal() && e.Status != MessageStatus.Rejected) finals.AddOrUpdate(e.MessageId, 1, (_, n) => n + 1); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000_000, "c1", CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i =>
            pipeline.SendAsync(new SendRequest($"0935{i:D7}", "hello " + i, i % 3 == 0 ? "express" : "normal", "u1"), CancellationToken.None)));
        Assert.All(results, r => Assert.Equal(AcceptStatus.Queued, r.Status));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (finals.Count < results.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(results.Length, finals.Count);
        Assert.All(finals.Values, n => Assert.Equal(1, n));
        var balance = await ledger.GetBalanceAsync("u1", CancellationToken.None);
        Assert.Equal(0, balance.Reserved);
        Assert.Equal(10_000_000, balance.Charged);
        await pipeline.StopAsync(CancellationToken.None);
        var report = await store.GetReportAsync(new ReportQuery("u1", Limit: 1), CancellationToken.None);
        long sent = report.Counts[MessageStatus.Sent], failed = report.Counts[MessageStatus.Failed];
        Assert.Equal(results.Length, sent + failed);
        Assert.True(failed > 0, "the simulator's permanent failures should show as failed");
        Assert.Equal(sent * 1150, balance.Spent);
    }

    [Fact(Timeout = 30_000)]
    public async Task Stop_returns_after_the_shutdown_timeout_when_sends_are_slow()
    {
        var ledger = new InMemoryBalanceLedger();
        var options = new PipelineOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(300) };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLedger(ledger)
            .WithOperatorSimulator(new OperatorSimulatorOptions { Latency = TimeSpan.FromSeconds(3) }).Build();
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("slow", 1_000_000, "c", CancellationToken.None);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(AcceptStatus.Queued, (await pipeline.SendAsync(new SendRequest("09121234567", "x", "normal", "slow"), CancellationToken.None)).Status);
        }

        await Task.Delay(100);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await pipeline.StopAsync(CancellationToken.None); // must not throw although sends are still in flight
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"stop took {clock.Elapsed}");
        Assert.Equal(PipelineRoles.None, pipeline.Roles);
    }
}
