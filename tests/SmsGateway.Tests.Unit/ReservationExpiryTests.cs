using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Locking;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit;

/// <summary>Reservations whose outcome is unknown: confirm, the pending index and the expiry sweep of the in-memory ledger and the pipeline.</summary>
public sealed class ReservationExpiryTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(50);

    [Fact]
    public async Task Unconfirmed_reservation_is_refunded_after_the_deadline_and_a_confirmed_one_never()
    {
        var time = new FakeTimeProvider();
        var ledger = new InMemoryBalanceLedger(time);
        await ledger.ChargeAsync("u", 1000, "c", None);
        Guid lost = Guid.NewGuid(), stored = Guid.NewGuid();
        await ledger.ReserveAsync("u", [new(lost, 100), new(stored, 50)], 1, None);
        Assert.True(ledger.IsPending("u", lost));
        Assert.Equal([ConfirmOutcome.Confirmed], await ledger.ConfirmAsync("u", [stored], None));
        Assert.False(ledger.IsPending("u", stored));

        time.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        var early = await ledger.SweepExpiredAsync(Deadline, 100, None);
        Assert.Empty(early.Refunded);
        Assert.Equal(0, early.Examined);

        time.Advance(TimeSpan.FromMilliseconds(1));
        var sweep = await ledger.SweepExpiredAsync(Deadline, 100, None);
        var refunded = Assert.Single(sweep.Refunded);
        Assert.Equal(("u", lost, 100L), (refunded.UserId, refunded.MessageId, refunded.Amount));
        Assert.Equal(time.GetUtcNow() - Deadline, refunded.ReservedAt);
        Assert.Equal(new Balance("u", 950, 50, 0), await ledger.GetBalanceAsync("u", None));
        Assert.Equal(1000, (await ledger.GetBalanceAsync("u", None)).Charged);

        // Once: a second sweep finds nothing; the refund is a settled refund for everyone else.
        time.Advance(Deadline);
        Assert.Empty((await ledger.SweepExpiredAsync(Deadline, 100, None)).Refunded);
        Assert.Equal(SettleOutcome.AlreadySettled, await ledger.RefundAsync("u", lost, None));
        Assert.Equal(SettleOutcome.SettledOtherwise, await ledger.CaptureAsync("u", lost, None));

        // A confirm that comes after the sweep is told so (its message must never be sent).
        Assert.Equal([ConfirmOutcome.Expired, ConfirmOutcome.Confirmed, ConfirmOutcome.NotReserved],
            await ledger.ConfirmAsync("u", [lost, stored, Guid.NewGuid()], None));
        Assert.Equal(new Balance("u", 950, 50, 0), await ledger.GetBalanceAsync("u", None));
    }

    [Fact]
    public async Task Capture_and_refund_drop_the_pending_entry()
    {
        var time = new FakeTimeProvider();
        var ledger = new InMemoryBalanceLedger(time);
        await ledger.ChargeAsync("u", 1000, "c", None);
        Guid sent = Guid.NewGuid(), failed = Guid.NewGuid();
        await ledger.ReserveAsync("u", [new(sent, 30), new(failed, 20)], 1, None);

        Assert.Equal(SettleOutcome.Settled, await ledger.CaptureAsync("u", sent, None));
        Assert.Equal(SettleOutcome.Settled, await ledger.RefundAsync("u", failed, None));
        Assert.False(ledger.IsPending("u", sent));
        Assert.False(ledger.IsPending("u", failed));

        time.Advance(Deadline * 2);
        var sweep = await ledger.SweepExpiredAsync(Deadline, 100, None);
        Assert.Equal(0, sweep.Examined);
        Assert.Equal(new Balance("u", 970, 0, 30), await ledger.GetBalanceAsync("u", None));
        Assert.Equal([ConfirmOutcome.AlreadySettled, ConfirmOutcome.AlreadySettled], await ledger.ConfirmAsync("u", [sent, failed], None));
    }

    [Fact]
    public async Task Sweeps_in_batches_and_concurrent_sweeps_refund_each_reservation_once()
    {
        var time = new FakeTimeProvider();
        var ledger = new InMemoryBalanceLedger(time);
        const int users = 10, perUser = 100;
        for (int u = 0; u < users; u++)
        {
            await ledger.ChargeAsync("u" + u, 1_000_000, "c", None);
            await ledger.ReserveAsync("u" + u, Enumerable.Range(0, perUser).Select(i => new Reservation(Guid.NewGuid(), i + 1)).ToArray(), 1, None);
        }

        time.Advance(Deadline);
        var refunded = new ConcurrentBag<ExpiredReservation>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var sweep = await ledger.SweepExpiredAsync(Deadline, 37, None);
                Assert.True(sweep.Examined <= 37);
                foreach (var r in sweep.Refunded)
                {
                    refunded.Add(r);
                }

                if (sweep.Examined == 0)
                {
                    return;
                }
            }
        })));

        Assert.Equal(users * perUser, refunded.Select(r => r.MessageId).Distinct().Count());
        Assert.Equal(users * perUser, refunded.Count);
        for (int u = 0; u < users; u++)
        {
            Assert.Equal(new Balance("u" + u, 1_000_000, 0, 0), await ledger.GetBalanceAsync("u" + u, None));
        }
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineOptions { Reservations = new() { ConfirmDeadline = TimeSpan.Zero } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineOptions { Reservations = new() { SweepInterval = TimeSpan.FromSeconds(-1) } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineOptions { Reservations = new() { SweepBatchSize = 0 } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineOptions { Reservations = new() { ConfirmRetries = 0 } }.Validate());
        var defaults = new PipelineOptions().Validate().Reservations;
        Assert.True(defaults.ConfirmDeadline + defaults.SweepInterval < TimeSpan.FromSeconds(60), "the documented 60-s bound");
    }

    [Fact(Timeout = 30_000)]
    public async Task Accepted_message_is_confirmed_and_an_unknown_reserve_is_refunded_with_a_rejected_status()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ledger = new InMemoryBalanceLedger(time);
        await using var pipeline = new SmsPipelineBuilder().WithLedger(ledger).WithTimeProvider(time).WithLocks(new InMemoryLockFactory()).Build();
        var rejected = new ConcurrentQueue<StatusEvent>();
        pipeline.StatusPublished += e => { if (e.Status == MessageStatus.Rejected) rejected.Enqueue(e); };
        await pipeline.StartAsync(PipelineRoles.Gateway, None); // no dispatcher: the accepted message stays reserved
        await ledger.ChargeAsync("u", 100_000, "c", None);

        var accepted = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "u"), None);
        Assert.Equal(AcceptStatus.Queued, accepted.Status);
        var cost = accepted.Message!.Cost;
        await WaitUntilAsync(() => !ledger.IsPending("u", accepted.Message.Id), "the accepted message was never confirmed");

        // A reserve whose outcome the gateway never learnt (client timeout, crash before publish): reserved, never confirmed.
        var unknown = Guid.NewGuid();
        Assert.Equal([ReserveOutcome.Reserved], await ledger.ReserveAsync("u", [new(unknown, 700)], long.MaxValue, None));
        Assert.Equal(new Balance("u", 100_000 - cost - 700, cost + 700, 0), await ledger.GetBalanceAsync("u", None));

        // Past the deadline and one sweep interval the sweeper (its PeriodicTimer runs on the fake clock) refunds it.
        var options = new PipelineOptions().Reservations;
        time.Advance(options.ConfirmDeadline);
        time.Advance(options.SweepInterval);
        await WaitUntilAsync(() => !rejected.IsEmpty, "no rejected status after the deadline");

        var e = Assert.Single(rejected);
        Assert.Equal((unknown, "u", 0, ReservationSweeperReason, 700L), (e.MessageId, e.UserId, e.Attempt, e.ErrorCode, e.Cost));
        var balance = await ledger.GetBalanceAsync("u", None);
        Assert.Equal(new Balance("u", 100_000 - cost, cost, 0), balance);
        Assert.Equal(100_000, balance.Charged);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_message_scheduled_past_the_confirm_deadline_is_confirmed_at_accept_and_never_swept()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ledger = new InMemoryBalanceLedger(time);
        await using var pipeline = new SmsPipelineBuilder().WithLedger(ledger).WithTimeProvider(time).WithLocks(new InMemoryLockFactory()).Build();
        var rejected = new ConcurrentQueue<StatusEvent>();
        pipeline.StatusPublished += e => { if (e.Status == MessageStatus.Rejected) rejected.Enqueue(e); };
        await pipeline.StartAsync(PipelineRoles.Gateway, None);
        await ledger.ChargeAsync("u", 100_000, "c", None);

        var sendAt = time.GetUtcNow().AddMinutes(10).ToString("O");
        var scheduled = await pipeline.SendAsync(new SendRequest("09121234567", "later", "normal", "u", SendAt: sendAt), None);
        Assert.Equal(AcceptStatus.Scheduled, scheduled.Status);
        await WaitUntilAsync(() => !ledger.IsPending("u", scheduled.Message!.Id), "the scheduled message was never confirmed");

        var options = new PipelineOptions().Reservations;
        time.Advance(options.ConfirmDeadline);
        time.Advance(options.SweepInterval);
        time.Advance(options.SweepInterval);
        await Task.Delay(200);
        Assert.Empty(rejected);
        Assert.Equal(new Balance("u", 100_000 - scheduled.Message!.Cost, scheduled.Message.Cost, 0), await ledger.GetBalanceAsync("u", None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Failed_publish_whose_refund_also_failed_is_refunded_by_the_sweep()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var inner = new InMemoryBalanceLedger(time);
        var ledger = new RefundFailsLedger(inner);
        // A long accept deadline and no queue budget: the wrapped parts give the pipeline the 900-ms default deadline, and a
        // cold first request on a busy machine waited past it and was answered 429; admission is not what this tests.
        var options = new PipelineOptions { AcceptDeadline = TimeSpan.FromSeconds(30), AcceptQueueBudget = TimeSpan.Zero };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLedger(ledger).WithTimeProvider(time).WithLocks(new InMemoryLockFactory())
            .WithTransport(new MessagePublishFails(new InMemoryTransport())).Build();
        var expired = new TaskCompletionSource<StatusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.StatusPublished += e => { if (e.ErrorCode == ReservationSweeperReason) expired.TrySetResult(e); };
        await pipeline.StartAsync(PipelineRoles.Gateway, None);
        await inner.ChargeAsync("u", 10_000, "c", None);

        var result = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "normal", "u"), None);
        Assert.Equal(AcceptStatus.Unavailable, result.Status); // "nothing was charged": the sweep makes that true
        Assert.Equal(result.Message!.Cost, (await inner.GetBalanceAsync("u", None)).Reserved);
        Assert.True(inner.IsPending("u", result.Message.Id));

        time.Advance(options.Reservations.ConfirmDeadline + options.Reservations.SweepInterval);
        var e = await expired.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(result.Message.Id, e.MessageId);
        Assert.Equal(new Balance("u", 10_000, 0, 0), await inner.GetBalanceAsync("u", None));
    }

    private const string ReservationSweeperReason = "reservation_expired";

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(10);
        }
    }

    /// <summary>The in-memory ledger whose refund is unreachable (a ledger outage right after a failed publish).</summary>
    private sealed class RefundFailsLedger(InMemoryBalanceLedger inner) : ForwardingLedger(inner)
    {
        public override ValueTask<SettleOutcome> RefundAsync(string userId, Guid messageId, CancellationToken cancellationToken) =>
            throw new LedgerUnavailableException("ledger down (test)");

        public override ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken) =>
            throw new LedgerUnavailableException("ledger down (test)"); // the accept stage withdraws a failed publish with the cancel script
    }

    /// <summary>A broker that stores status events but refuses messages (<c>sms-express</c>, <c>sms-normal</c>).</summary>
    private sealed class MessagePublishFails(InMemoryTransport inner) : IMessageTransport
    {
        public ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken) =>
            topic == Topics.Status ? inner.PublishAsync(topic, message, cancellationToken) : throw new TransportException("broker down (test)");

        public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken) =>
            inner.SubscribeAsync(topic, consumerGroup, options, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
