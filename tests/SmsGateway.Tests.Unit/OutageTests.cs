using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Status;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit;

/// <summary>Issue 12: outages waited out, poison-only dead letters, idempotent dispatch, supervised consumers.</summary>
public sealed class OutageTests
{
    // The accept deadline is long: these tests are about dispatch, and a first send on a cold, busy CI machine once spent
    // more than the default 900 ms and was answered Saturated (a wrapped ledger is not "all in-memory", so the deadline applies).
    private static readonly PipelineOptions Fast = new()
    {
        OutageRetryMin = TimeSpan.FromMilliseconds(10),
        OutageRetryMax = TimeSpan.FromMilliseconds(80),
        AcceptDeadline = TimeSpan.FromSeconds(10),
    };

    [Fact(Timeout = 30_000)]
    public async Task Undecodable_message_is_dead_lettered_with_its_reason_listed_and_replayed()
    {
        await using var transport = new InMemoryTransport();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Fast).WithTransport(transport).Build();
        await pipeline.StartAsync(PipelineRoles.Dispatcher, CancellationToken.None);
        await transport.PublishAsync(Topics.Express, new OutgoingMessage("u1", Encoding.UTF8.GetBytes("{not json"), "poison-1"), CancellationToken.None);

        var listed = await EventuallyAsync(() => transport.ListAsync(Topics.Express, 10, CancellationToken.None).AsTask(), l => l.Count == 1);
        var letter = Assert.Single(listed);
        Assert.Equal(Topics.Express, letter.Topic);
        Assert.StartsWith("undecodable", letter.Reason, StringComparison.Ordinal);
        Assert.Equal(9, letter.Size);
        Assert.Equal(0, transport.Pending(Topics.Express, Fast.DispatchGroup)); // removed from its topic

        var replay = await transport.ReplayAsync(Topics.Express, [letter.Id], CancellationToken.None);
        Assert.Equal([letter.Id], replay.Replayed);
        Assert.Empty(replay.NotFound);

        // Still undecodable: the replayed copy is consumed again and dead-lettered again under a new id.
        var again = await EventuallyAsync(() => transport.ListAsync(null, 10, CancellationToken.None).AsTask(), l => l.Count == 1 && l[0].Id != letter.Id);
        Assert.Equal(Topics.Express, again[0].Topic);
        var none = await transport.ReplayAsync(null, ["no-such-id"], CancellationToken.None);
        Assert.Empty(none.Replayed);
        Assert.Equal(["no-such-id"], none.NotFound);
    }

    [Fact(Timeout = 30_000)]
    public async Task Ledger_outage_during_capture_is_waited_out_without_a_second_send_or_a_dead_letter()
    {
        await using var transport = new InMemoryTransport();
        var ledger = new FlakyLedger(new InMemoryBalanceLedger()) { CaptureFailures = 12 };
        var operators = new CountingOperator();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Fast).WithTransport(transport).WithLedger(ledger).WithOperatorClient(operators).Build();
        var finals = new ConcurrentQueue<StatusEvent>();
        pipeline.StatusPublished += e => { if (e.Status.IsFinal()) finals.Enqueue(e); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000, "c1", CancellationToken.None);

        var result = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "u1"), CancellationToken.None);
        Assert.Equal(AcceptStatus.Queued, result.Status);

        await EventuallyAsync(() => Task.FromResult(finals.Count), n => n >= 1);
        Assert.Equal(MessageStatus.Sent, Assert.Single(finals).Status);
        Assert.Equal(13, ledger.CaptureCalls); // 12 failures (more than the old MaxDeliver of 10), then the capture
        Assert.Equal(1, operators.Sends(result.Message!.Id)); // each redelivery settled the known answer, no resend
        Assert.Empty(await transport.ListAsync(null, 10, CancellationToken.None));
        var balance = await ledger.GetBalanceAsync("u1", CancellationToken.None);
        Assert.Equal((10_000 - result.Message.Cost, 0L, result.Message.Cost), (balance.Available, balance.Reserved, balance.Spent));
    }

    [Fact]
    public void Outage_backoff_doubles_per_delivery_up_to_the_cap_with_jitter()
    {
        var min = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(30);
        for (int i = 0; i < 50; i++)
        {
            Assert.InRange(OutageBackoff.For(1, min, max).TotalMilliseconds, 800, 1200);
            Assert.InRange(OutageBackoff.For(3, min, max).TotalMilliseconds, 3200, 4800);
            Assert.InRange(OutageBackoff.For(5, min, max).TotalMilliseconds, 12_800, 19_200);
            Assert.InRange(OutageBackoff.For(1000, min, max).TotalMilliseconds, 24_000, 36_000);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Redelivery_of_a_captured_message_acks_without_sending_again()
    {
        await using var transport = new InMemoryTransport();
        var ledger = new InMemoryBalanceLedger();
        var operators = new CountingOperator();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Fast).WithTransport(transport).WithLedger(ledger).WithOperatorClient(operators).Build();
        var sent = new ConcurrentQueue<StatusEvent>();
        pipeline.StatusPublished += e => { if (e.Status == MessageStatus.Sent) sent.Enqueue(e); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000, "c1", CancellationToken.None);
        var message = (await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "u1"), CancellationToken.None)).Message!;
        await EventuallyAsync(() => Task.FromResult(sent.Count), n => n == 1);

        // The same attempt again, as a broker redelivers it after a lost ack (new broker id, same payload).
        await transport.PublishAsync(Topics.Express, new OutgoingMessage("u1", PipelineJson.Serialize(message), "redelivery"), CancellationToken.None);

        await EventuallyAsync(() => Task.FromResult(sent.Count), n => n == 2); // "sent" reported again (idempotent in the store)
        await EventuallyAsync(() => Task.FromResult(transport.Pending(Topics.Express, Fast.DispatchGroup)), n => n == 0);
        Assert.Equal(1, operators.Sends(message.Id));
        var balance = await ledger.GetBalanceAsync("u1", CancellationToken.None);
        Assert.Equal(message.Cost, balance.Spent); // charged once
    }

    [Fact(Timeout = 30_000)]
    public async Task Redelivery_of_an_attempt_that_failed_over_to_its_retry_is_never_sent_and_reports_nothing()
    {
        await using var transport = new InMemoryTransport();
        var ledger = new InMemoryBalanceLedger();
        var operators = new CountingOperator { TransientFirst = true };
        var options = Fast with { Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(10) } };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).WithOperatorClient(operators).Build();
        var events = new ConcurrentQueue<StatusEvent>();
        pipeline.StatusPublished += events.Enqueue;
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000, "c1", CancellationToken.None);
        var message = (await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "u1"), CancellationToken.None)).Message!;
        await EventuallyAsync(() => Task.FromResult(events.Count(e => e.Status == MessageStatus.Sent)), n => n == 1);
        Assert.Equal(2, operators.Sends(message.Id)); // attempt 1 failed transiently, attempt 2 was captured
        var before = events.Count;

        // Attempt 1 again, as Kafka redelivers it after a consumer group rebalance that lost its commit: stale.
        await transport.PublishAsync(Topics.Express, new OutgoingMessage("u1", PipelineJson.Serialize(message), "stale"), CancellationToken.None);
        await EventuallyAsync(() => Task.FromResult(transport.Pending(Topics.Express, options.DispatchGroup)), n => n == 0);
        Assert.Equal(before, events.Count); // no second final status at attempt 1
        Assert.Equal(2, operators.Sends(message.Id));

        // Attempt 2 again (the captured one): "sent" is repeated at attempt 2, the row the store already has.
        await transport.PublishAsync(Topics.Express, new OutgoingMessage("u1", PipelineJson.Serialize(message with { Attempt = 2 }), "again"), CancellationToken.None);
        await EventuallyAsync(() => Task.FromResult(events.Count(e => e.Status == MessageStatus.Sent)), n => n == 2);
        Assert.All(events.Where(e => e.Status == MessageStatus.Sent), e => Assert.Equal(2, e.Attempt));
        Assert.Equal(2, operators.Sends(message.Id));
        Assert.Equal(message.Cost, (await ledger.GetBalanceAsync("u1", CancellationToken.None)).Spent); // charged once
    }

    [Fact(Timeout = 30_000)]
    public async Task Message_refunded_before_dispatch_is_never_sent_and_ends_failed()
    {
        await using var transport = new InMemoryTransport();
        var ledger = new InMemoryBalanceLedger();
        var operators = new CountingOperator();
        await using var gateway = new SmsPipelineBuilder().WithOptions(Fast).WithTransport(transport).WithLedger(ledger).WithOperatorClient(operators).Build();
        await gateway.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000, "c1", CancellationToken.None);
        var message = (await gateway.SendAsync(new SendRequest("09121234567", "hello", "express", "u1"), CancellationToken.None)).Message!;
        Assert.Equal(SettleOutcome.Settled, await ledger.RefundAsync("u1", message.Id, CancellationToken.None)); // e.g. canceled

        await using var dispatcher = new SmsPipelineBuilder().WithOptions(Fast).WithTransport(transport).WithLedger(ledger).WithOperatorClient(operators).Build();
        var final = new TaskCompletionSource<StatusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        dispatcher.StatusPublished += e => { if (e.Status.IsFinal()) final.TrySetResult(e); };
        await dispatcher.StartAsync(PipelineRoles.Dispatcher, CancellationToken.None);

        var e = await final.Task;
        Assert.Equal((MessageStatus.Failed, "refunded_before_send"), (e.Status, e.ErrorCode));
        Assert.Equal(0, operators.Sends(message.Id));
    }

    [Fact(Timeout = 30_000)]
    public async Task Begin_send_outcomes_of_the_in_memory_ledger()
    {
        var ledger = new InMemoryBalanceLedger();
        await ledger.ChargeAsync("u", 1_000, "c", CancellationToken.None);
        Guid sent = Guid.NewGuid(), refunded = Guid.NewGuid(), unknown = Guid.NewGuid();
        await ledger.ReserveAsync("u", [new Reservation(sent, 10), new Reservation(refunded, 10)], 1, CancellationToken.None);

        Assert.Equal(BeginSendOutcome.Send, (await ledger.BeginSendAsync("u", sent, 1, CancellationToken.None)).Outcome);
        Assert.Equal(BeginSendOutcome.AttemptStarted, (await ledger.BeginSendAsync("u", sent, 1, CancellationToken.None)).Outcome);
        Assert.Equal(BeginSendOutcome.Send, (await ledger.BeginSendAsync("u", sent, 2, CancellationToken.None)).Outcome);
        Assert.Equal(SettleOutcome.Settled, await ledger.CaptureAsync("u", sent, "op-42", CancellationToken.None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AlreadyCaptured, "op-42", 2), await ledger.BeginSendAsync("u", sent, 2, CancellationToken.None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.Superseded, null, 2), await ledger.BeginSendAsync("u", sent, 1, CancellationToken.None));

        await ledger.RefundAsync("u", refunded, CancellationToken.None);
        Assert.Equal(BeginSendOutcome.Refunded, (await ledger.BeginSendAsync("u", refunded, 1, CancellationToken.None)).Outcome);
        Assert.Equal(BeginSendOutcome.NotReserved, (await ledger.BeginSendAsync("u", unknown, 1, CancellationToken.None)).Outcome);
        Assert.Equal(BeginSendOutcome.NotReserved, (await ledger.BeginSendAsync("nobody", unknown, 1, CancellationToken.None)).Outcome);
        Assert.Equal(SettleOutcome.SettledOtherwise, await ledger.CaptureAsync("u", refunded, "op-43", CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_faulted_consumer_is_subscribed_again_and_keeps_dispatching()
    {
        await using var inner = new InMemoryTransport();
        var transport = new FaultingTransport(inner, Topics.Express);
        var ledger = new InMemoryBalanceLedger();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Fast).WithTransport(transport).WithLedger(ledger).Build();
        var final = new TaskCompletionSource<StatusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.StatusPublished += e => { if (e.Status.IsFinal()) final.TrySetResult(e); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000, "c1", CancellationToken.None);

        transport.Fault(); // the express deliveries channel faults, as a NATS subscription does when its consumer is deleted
        await EventuallyAsync(() => Task.FromResult(transport.Subscriptions(Topics.Express)), n => n >= 2);
        var result = await pipeline.SendAsync(new SendRequest("09121234567", "after the fault", "express", "u1"), CancellationToken.None);

        Assert.Equal(MessageStatus.Sent, (await final.Task).Status);
        Assert.Equal(AcceptStatus.Queued, result.Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_throwing_status_subscriber_changes_no_outcome()
    {
        var ledger = new InMemoryBalanceLedger();
        var store = new InMemoryStatusStore();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Fast).WithLedger(ledger).WithStatusStore(store).Build();
        var final = new TaskCompletionSource<StatusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.StatusPublished += _ => throw new InvalidOperationException("observer bug");
        pipeline.StatusPublished += e => { if (e.Status.IsFinal()) final.TrySetResult(e); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000, "c1", CancellationToken.None);

        var result = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "u1"), CancellationToken.None);

        Assert.Equal(AcceptStatus.Queued, result.Status); // not a 503
        Assert.Equal(MessageStatus.Sent, (await final.Task).Status); // the later subscriber still ran
        var balance = await ledger.GetBalanceAsync("u1", CancellationToken.None);
        Assert.Equal((0L, result.Message!.Cost), (balance.Reserved, balance.Spent)); // captured once, not nak'ed into a resend
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(value), $"condition not met within 20 s (last value {value})");
                return value;
            }

            await Task.Delay(20);
        }
    }

    private sealed class FlakyLedger(IBalanceLedger inner) : ForwardingLedger(inner)
    {
        private int _captureCalls;

        public int CaptureFailures { get; init; }

        public int CaptureCalls => Volatile.Read(ref _captureCalls);

        public override ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _captureCalls) <= CaptureFailures
                ? throw new LedgerUnavailableException("ledger stalled (test)")
                : base.CaptureAsync(userId, messageId, operatorMessageId, cancellationToken);
    }

    // Wraps a transport; Fault() completes the current subscription of one topic with an exception.
    private sealed class FaultingTransport(IMessageTransport inner, string topic) : IMessageTransport
    {
        private readonly ConcurrentDictionary<string, int> _subscribes = new();
        private volatile FaultableSubscription? _current;

        public int Subscriptions(string t) => _subscribes.GetValueOrDefault(t);

        public void Fault() => _current!.Fault(new InvalidOperationException("deliveries channel faulted (test)"));

        public ValueTask PublishAsync(string t, OutgoingMessage message, CancellationToken cancellationToken) => inner.PublishAsync(t, message, cancellationToken);

        public async ValueTask<IMessageSubscription> SubscribeAsync(string t, string group, SubscriptionOptions options, CancellationToken cancellationToken)
        {
            _subscribes.AddOrUpdate(t, 1, (_, n) => n + 1);
            var sub = await inner.SubscribeAsync(t, group, options, cancellationToken);
            if (t != topic)
            {
                return sub;
            }

            var wrapped = new FaultableSubscription(sub);
            _current = wrapped;
            return wrapped;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class FaultableSubscription : IMessageSubscription
    {
        private readonly IMessageSubscription _inner;
        private readonly Channel<IDelivery> _channel = Channel.CreateUnbounded<IDelivery>();
        private readonly CancellationTokenSource _stop = new();

        public FaultableSubscription(IMessageSubscription inner)
        {
            _inner = inner;
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var d in inner.Deliveries.ReadAllAsync(_stop.Token))
                    {
                        await _channel.Writer.WriteAsync(d);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        public string Topic => _inner.Topic;

        public string ConsumerGroup => _inner.ConsumerGroup;

        public ChannelReader<IDelivery> Deliveries => _channel.Reader;

        public void Fault(Exception ex)
        {
            _stop.Cancel();
            _channel.Writer.TryComplete(ex);
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _channel.Writer.TryComplete();
            await _inner.DisposeAsync();
        }
    }
}
