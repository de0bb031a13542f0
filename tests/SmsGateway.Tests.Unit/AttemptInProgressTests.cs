using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Serialization;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit;

/// <summary>
/// A second copy of a message whose attempt is still being sent (a broker redelivery, or the message in two frames) is not
/// sent again; a copy of an attempt started longer ago than the send timeout plus the settle grace is (README "Durability").
/// </summary>
public sealed class AttemptInProgressTests
{
    // MCI's send timeout is 3 s here, so a copy waits at most 3.5 s for the first send to settle.
    private const string Table = """
        { "operators": [ { "name": "MCI", "prefixes": ["0912"], "price_per_segment": 1, "max_concurrency": 4, "rate_limit_per_second": 0, "send_timeout_ms": 3000 } ] }
        """;

    private static readonly PipelineOptions Options = new() { SettleGrace = TimeSpan.FromMilliseconds(500), AcceptDeadline = TimeSpan.FromSeconds(10) };

    [Fact(Timeout = 30_000)]
    public async Task A_copy_that_meets_its_attempt_still_sending_waits_for_it_and_is_not_sent()
    {
        await using var transport = new InMemoryTransport();
        var ledger = new InMemoryBalanceLedger();
        var operators = new FirstSendGated();
        var logs = new FakeLogCollector();
        using var loggerFactory = new LoggerFactory([new FakeLoggerProvider(logs)]);
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Options).WithOperatorTable(OperatorTable.Parse(Table)).WithTransport(transport)
            .WithLedger(ledger).WithOperatorClient(operators).WithLoggerFactory(loggerFactory).Build();
        var sent = new ConcurrentQueue<StatusEvent>();
        pipeline.StatusPublished += e => { if (e.Status == MessageStatus.Sent) sent.Enqueue(e); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000, "c1", CancellationToken.None);
        var message = (await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "u1"), CancellationToken.None)).Message!;
        await operators.FirstSendStarted.Task; // the first copy's send is with the operator, not answered yet

        // The same attempt again while the first is in flight, as a broker delivers a second copy of it.
        await transport.PublishAsync(Topics.Express, new OutgoingMessage("u1", PipelineJson.Serialize(message), "copy"), CancellationToken.None);
        var waiting = await EventuallyAsync(() => logs.GetSnapshot().Where(r => r.Id.Id == 7062).ToList(), l => l.Count == 1);
        Assert.Contains(message.Id.ToString(), waiting[0].Message, StringComparison.Ordinal);
        Assert.Equal(1, operators.Sends(message.Id));

        // The first send is answered and captured; the copy comes back after its pause, finds it captured, and is acked.
        operators.Release();
        await EventuallyAsync(() => sent.Count, n => n == 2); // "sent" by the first copy, and repeated by the second
        await EventuallyAsync(() => transport.Pending(Topics.Express, Options.DispatchGroup), n => n == 0);
        Assert.Equal(1, operators.Sends(message.Id));
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 7056); // never taken for a crashed send
        var balance = await ledger.GetBalanceAsync("u1", CancellationToken.None);
        Assert.Equal((0L, message.Cost), (balance.Reserved, balance.Spent)); // charged once
    }

    [Fact(Timeout = 30_000)]
    public async Task A_copy_of_an_attempt_started_longer_ago_than_the_timeout_and_grace_is_sent_again()
    {
        await using var transport = new InMemoryTransport();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ledger = new InMemoryBalanceLedger(clock);
        var operators = new CountingOperator();
        await using var gateway = new SmsPipelineBuilder().WithOptions(Options).WithOperatorTable(OperatorTable.Parse(Table)).WithTransport(transport)
            .WithLedger(ledger).Build();
        await gateway.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000, "c1", CancellationToken.None);
        var message = (await gateway.SendAsync(new SendRequest("09121234567", "hello", "express", "u1"), CancellationToken.None)).Message!;

        // A dispatcher began the send and died before the capture; its delivery comes back after the broker's ack wait.
        Assert.Equal(BeginSendOutcome.Send, (await ledger.BeginSendAsync("u1", message.Id, 1, CancellationToken.None)).Outcome);
        clock.Advance(TimeSpan.FromSeconds(5));
        var begin = await ledger.BeginSendAsync("u1", message.Id, 1, CancellationToken.None);
        Assert.Equal((BeginSendOutcome.AttemptStarted, (TimeSpan?)TimeSpan.FromSeconds(5)), (begin.Outcome, begin.StartedAgo));

        var logs = new FakeLogCollector();
        using var loggerFactory = new LoggerFactory([new FakeLoggerProvider(logs)]);
        await using var dispatcher = new SmsPipelineBuilder().WithOptions(Options).WithOperatorTable(OperatorTable.Parse(Table)).WithTransport(transport)
            .WithLedger(ledger).WithOperatorClient(operators).WithLoggerFactory(loggerFactory).Build();
        var final = new TaskCompletionSource<StatusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        dispatcher.StatusPublished += e => { if (e.Status.IsFinal()) final.TrySetResult(e); };
        await dispatcher.StartAsync(PipelineRoles.Dispatcher, CancellationToken.None);

        Assert.Equal(MessageStatus.Sent, (await final.Task).Status);
        Assert.Equal(1, operators.Sends(message.Id)); // the at-least-once window: sent again, logged as such
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 7056);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 7062);
        Assert.Equal(message.Cost, (await ledger.GetBalanceAsync("u1", CancellationToken.None)).Spent);
    }

    private static async Task<T> EventuallyAsync<T>(Func<T> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var value = read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(value), $"condition not met within 20 s (last value {value})");
                return value;
            }

            await Task.Delay(20);
        }
    }

    // Answers every send at once, except the first one of all, which waits until Release.
    private sealed class FirstSendGated : IOperatorClient
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<Guid, int> _sends = new();
        private int _calls;

        public TaskCompletionSource FirstSendStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Sends(Guid id) => _sends.GetValueOrDefault(id);

        public void Release() => _gate.TrySetResult();

        public async ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
        {
            _sends.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
            if (Interlocked.Increment(ref _calls) == 1)
            {
                FirstSendStarted.TrySetResult();
                await _gate.Task.WaitAsync(cancellationToken);
            }

            return new SendResult(SendOutcome.Accepted, null, "op-" + message.Id.ToString("N")[..8]);
        }
    }
}
