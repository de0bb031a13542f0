using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Status;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit;

/// <summary>Issue 15: begin-send and settle of many messages in one ledger call, and the dispatch stage's group commit.</summary>
public sealed class DispatchLedgerBatchTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Begin_send_many_reports_each_state_of_a_mixed_batch_like_the_single_call()
    {
        var clock = new FakeTimeProvider();
        var ledger = new InMemoryBalanceLedger(clock);
        await ledger.ChargeAsync("u", 1_000, "c", None);
        await ledger.ChargeAsync("v", 1_000, "c", None);
        Guid reserved = Guid.NewGuid(), captured = Guid.NewGuid(), refunded = Guid.NewGuid(), started = Guid.NewGuid(), other = Guid.NewGuid();
        await ledger.ReserveAsync("u", [new(reserved, 10), new(captured, 20), new(refunded, 30), new(started, 40)], 1, None);
        await ledger.ReserveAsync("v", [new(other, 50)], 1, None);
        await ledger.BeginSendAsync("u", captured, 1, None);
        await ledger.CaptureAsync("u", captured, "smsc-1", None);
        await ledger.RefundAsync("u", refunded, None);
        await ledger.BeginSendAsync("u", started, 2, None);
        clock.Advance(TimeSpan.FromSeconds(3));

        var results = await ledger.BeginSendManyAsync(
        [
            new("u", reserved, 1), new("u", captured, 1), new("u", refunded, 1), new("u", started, 2), new("u", Guid.NewGuid(), 1),
            new("nobody", Guid.NewGuid(), 1), new("v", other, 3), new("u", reserved, 1), new("u", started, 3), new("u", started, 2),
        ], None);

        Assert.Equal(
        [
            new BeginSendResult(BeginSendOutcome.Send), new BeginSendResult(BeginSendOutcome.AlreadyCaptured, "smsc-1", 1),
            new BeginSendResult(BeginSendOutcome.Refunded), new BeginSendResult(BeginSendOutcome.AttemptStarted, null, 2, TimeSpan.FromSeconds(3)),
            new BeginSendResult(BeginSendOutcome.NotReserved), new BeginSendResult(BeginSendOutcome.NotReserved),
            new BeginSendResult(BeginSendOutcome.Send),
            new BeginSendResult(BeginSendOutcome.AttemptStarted, null, 1, TimeSpan.Zero), // the same item again in one batch sees the first's mark
            new BeginSendResult(BeginSendOutcome.Send, null, 2), // a later attempt of a started message
            new BeginSendResult(BeginSendOutcome.Superseded, null, 3), // the older attempt again: a stale redelivery, never sent
        ], results);
        Assert.False(ledger.IsPending("u", reserved)); // a started send is never swept
        Assert.Equal(new Balance("u", 930, 50, 20), await ledger.GetBalanceAsync("u", None)); // begin-send moves no money
        Assert.Equal(CancelOutcome.SendingStarted, await ledger.CancelAsync("v", other, None));
    }

    [Fact]
    public async Task Settle_many_captures_and_refunds_a_mixed_batch_of_two_users_once_each()
    {
        var ledger = new InMemoryBalanceLedger();
        await ledger.ChargeAsync("u", 1_000, "c", None);
        await ledger.ChargeAsync("v", 500, "c", None);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid(), d = Guid.NewGuid(), e = Guid.NewGuid();
        await ledger.ReserveAsync("u", [new(a, 100), new(b, 200), new(c, 300)], 1, None);
        await ledger.ReserveAsync("v", [new(d, 50), new(e, 70)], 1, None);
        await ledger.CaptureAsync("u", c, None);

        SettleRequest[] batch =
        [
            new("u", a, SettleKind.Capture, "smsc-a"), new("u", b, SettleKind.Refund), new("u", c, SettleKind.Capture, "late"),
            new("v", d, SettleKind.Refund), new("v", e, SettleKind.Capture), new("u", Guid.NewGuid(), SettleKind.Capture),
            new("u", a, SettleKind.Refund),
        ];
        Assert.Equal(
            [SettleOutcome.Settled, SettleOutcome.Settled, SettleOutcome.AlreadySettled, SettleOutcome.Settled, SettleOutcome.Settled,
             SettleOutcome.NotReserved, SettleOutcome.SettledOtherwise],
            await ledger.SettleManyAsync(batch, None));

        // The same batch again (a redelivery after a lost answer) changes nothing.
        Assert.Equal(
            [SettleOutcome.AlreadySettled, SettleOutcome.AlreadySettled, SettleOutcome.AlreadySettled, SettleOutcome.AlreadySettled,
             SettleOutcome.AlreadySettled, SettleOutcome.NotReserved, SettleOutcome.SettledOtherwise],
            await ledger.SettleManyAsync(batch, None));
        Assert.Equal(new Balance("u", 600, 0, 400), await ledger.GetBalanceAsync("u", None));
        Assert.Equal(new Balance("v", 430, 0, 70), await ledger.GetBalanceAsync("v", None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AlreadyCaptured, "smsc-a"), await ledger.BeginSendAsync("u", a, 1, None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AlreadyCaptured), await ledger.BeginSendAsync("u", c, 1, None)); // "late" not kept
    }

    [Fact]
    public async Task A_ledger_without_batch_methods_gets_the_single_calls_in_order()
    {
        var ledger = new SingleCallsOnly(new InMemoryBalanceLedger(new FakeTimeProvider()));
        IBalanceLedger asInterface = ledger;
        await ledger.ChargeAsync("u", 100, "c", None);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        await ledger.ReserveAsync("u", [new(a, 10), new(b, 20)], 1, None);

        Assert.Equal([new BeginSendResult(BeginSendOutcome.Send), new BeginSendResult(BeginSendOutcome.AttemptStarted, null, 1, TimeSpan.Zero)],
            await asInterface.BeginSendManyAsync([new("u", a, 1), new("u", a, 1)], None));
        Assert.Equal([SettleOutcome.Settled, SettleOutcome.Settled, SettleOutcome.SettledOtherwise],
            await asInterface.SettleManyAsync([new("u", a, SettleKind.Capture, "x"), new("u", b, SettleKind.Refund), new("u", b, SettleKind.Capture)], None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AlreadyCaptured, "x", 1), await ledger.BeginSendAsync("u", a, 1, None));
        Assert.Equal(new Balance("u", 90, 0, 10), await ledger.GetBalanceAsync("u", None));
    }

    [Fact]
    public async Task Confirm_many_of_a_ledger_without_it_makes_one_single_call_per_run_of_one_users_items()
    {
        var ledger = new SingleCallsOnly(new InMemoryBalanceLedger(new FakeTimeProvider()));
        IBalanceLedger asInterface = ledger;
        await ledger.ChargeAsync("u", 100, "c", None);
        await ledger.ChargeAsync("v", 100, "c", None);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();
        await ledger.ReserveAsync("u", [new(a, 10), new(b, 20)], 1, None);
        await ledger.ReserveAsync("v", [new(c, 30)], 1, None);
        await ledger.RefundAsync("u", b, None);

        var outcomes = await asInterface.ConfirmManyAsync([new("u", a), new("u", b), new("v", c), new("v", Guid.NewGuid()), new("u", a)], None);

        Assert.Equal([ConfirmOutcome.Confirmed, ConfirmOutcome.AlreadySettled, ConfirmOutcome.Confirmed, ConfirmOutcome.NotReserved, ConfirmOutcome.Confirmed], outcomes);
        Assert.Equal(3, ledger.SingleConfirmCalls); // u (a, b), v (c, unknown), u (a)
        Assert.False(ledger.Inner.IsPending("u", a));
        Assert.False(ledger.Inner.IsPending("v", c));
    }

    [Fact(Timeout = 10_000)]
    public async Task Items_handed_in_while_a_call_is_in_flight_go_together_in_the_next_call_each_with_its_own_result()
    {
        var calls = new ConcurrentQueue<int[]>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var batcher = new LedgerBatcher<int, string>(async (items, _) =>
        {
            calls.Enqueue([.. items]);
            first.TrySetResult();
            await release.Task;
            return [.. items.Select(i => "r" + i)];
        }, maxBatch: 64);

        var lone = batcher.RunAsync(0);
        await first.Task; // the first call is in flight with its one item
        var queued = Enumerable.Range(1, 100).Select(batcher.RunAsync).ToArray();
        release.SetResult();

        Assert.Equal("r0", await lone);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => "r" + i), await Task.WhenAll(queued));
        Assert.Equal([[0], [.. Enumerable.Range(1, 64)], [.. Enumerable.Range(65, 36)]], calls.ToArray()); // at most maxBatch per call, in order
        Assert.Equal((3L, 101L), (batcher.Calls, batcher.Items));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_group_goes_whole_into_the_next_call_with_single_items_and_gets_its_own_results_in_order()
    {
        var calls = new ConcurrentQueue<int[]>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int call = 0;
        await using var batcher = new LedgerBatcher<int, string>(async (items, _) =>
        {
            calls.Enqueue([.. items]);
            first.TrySetResult();
            await release.Task;
            return Interlocked.Increment(ref call) == 3 ? throw new LedgerUnavailableException("ledger stalled (test)") : [.. items.Select(i => "r" + i)];
        }, maxBatch: 4);

        var lone = batcher.RunAsync(0);
        await first.Task; // the first call is in flight with its one item
        var single = batcher.RunAsync(1);
        var group = batcher.RunManyAsync([2, 3, 4, 5, 6]); // more than maxBatch: still one call, never split
        var failing = batcher.RunManyAsync([7, 8]);
        release.SetResult();

        Assert.Equal("r0", await lone);
        Assert.Equal("r1", await single);
        Assert.Equal(["r2", "r3", "r4", "r5", "r6"], await group);
        Assert.Equal("ledger stalled (test)", (await Assert.ThrowsAsync<LedgerUnavailableException>(() => failing)).Message);
        Assert.Equal([[0], [1, 2, 3, 4, 5, 6], [7, 8]], calls.ToArray());
        Assert.Empty(await batcher.RunManyAsync([]));
        Assert.Equal((3L, 9L), (batcher.Calls, batcher.Items));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_failed_call_fails_each_of_its_items_and_the_next_call_goes_on()
    {
        int call = 0;
        await using var batcher = new LedgerBatcher<int, int>((items, _) => Interlocked.Increment(ref call) == 1
            ? throw new LedgerUnavailableException("ledger stalled (test)")
            : ValueTask.FromResult(items.Select(i => i * 2).ToArray()), maxBatch: 16);

        var failed = await Assert.ThrowsAsync<LedgerUnavailableException>(() => batcher.RunAsync(1));
        Assert.Equal("ledger stalled (test)", failed.Message);
        var doubled = await Task.WhenAll(batcher.RunAsync(2), batcher.RunAsync(3));
        Assert.Equal([4, 6], doubled);
    }

    [Fact(Timeout = 10_000)]
    public async Task After_dispose_items_are_written_one_by_one()
    {
        var sizes = new ConcurrentQueue<int>();
        var batcher = new LedgerBatcher<int, int>((items, _) => { sizes.Enqueue(items.Count); return ValueTask.FromResult(items.ToArray()); }, maxBatch: 16);
        await batcher.DisposeAsync();
        var alone = await Task.WhenAll(batcher.RunAsync(7), batcher.RunAsync(8));
        Assert.Equal([7, 8], alone);
        Assert.Equal([1, 1], sizes.ToArray());
    }

    [Fact(Timeout = 20_000)]
    public async Task Confirms_to_a_remote_ledger_go_as_one_group_per_user_batch_and_a_failed_batch_call_is_retried_whole()
    {
        var ledger = new BatchOnlyLedger(new InMemoryBalanceLedger()) { ConfirmFailures = 2 };
        var options = new ReservationOptions { ConfirmRetries = 3, ConfirmRetryDelay = TimeSpan.FromMilliseconds(1) };
        var confirmer = new ReservationConfirmer(ledger, options, TimeProvider.System, NullLogger.Instance);
        var batches = new Dictionary<string, Guid[]> { ["u"] = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()], ["v"] = [Guid.NewGuid()] };
        foreach (var (user, ids) in batches)
        {
            await ledger.ChargeAsync(user, 100, "c", None);
            await ledger.ReserveAsync(user, [.. ids.Select(id => new Reservation(id, 10))], 1, None);
        }

        foreach (var (user, ids) in batches)
        {
            confirmer.Confirm(user, ids);
        }

        await confirmer.DrainAsync();

        Assert.All(batches, b => Assert.All(b.Value, id => Assert.False(ledger.Inner.IsPending(b.Key, id))));
        Assert.Equal(0, ledger.SingleConfirmCalls);
        // The first call failed twice and was retried whole: both groups in it (3 calls of 4 ids), or u's alone (3 calls of
        // 3 ids) and then v's in a call of its own.
        Assert.Contains((ledger.ConfirmCalls, ledger.ConfirmItems), new[] { (3, 12), (4, 10) });
    }

    [Fact(Timeout = 60_000)]
    public async Task Dispatch_to_a_remote_ledger_begins_and_captures_in_batches_and_waits_out_failed_batch_captures_without_resending()
    {
        await using var transport = new InMemoryTransport();
        var ledger = new BatchOnlyLedger(new InMemoryBalanceLedger()) { SettleFailures = 3 };
        var operators = new CountingOperator();
        var options = new PipelineOptions { OutageRetryMin = TimeSpan.FromMilliseconds(10), OutageRetryMax = TimeSpan.FromMilliseconds(80), DispatchLedgerBatch = 256, AcceptDeadline = TimeSpan.FromSeconds(30) };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).WithOperatorClient(operators).Build();
        var finals = new ConcurrentDictionary<Guid, MessageStatus>();
        pipeline.StatusPublished += e => { if (e.Status.IsFinal()) finals[e.MessageId] = e.Status; };
        await pipeline.StartAsync(PipelineRoles.All, None);
        var users = Enumerable.Range(0, 10).Select(i => "u" + i).ToArray();
        foreach (var user in users)
        {
            await ledger.ChargeAsync(user, 100_000, "c", None);
        }

        var accepted = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            pipeline.SendAsync(new SendRequest("0912123" + i.ToString("D4"), "hello " + i, i % 3 == 0 ? "express" : "normal", users[i % users.Length]), None)));
        var messages = accepted.Select(r => r.Message!).ToArray();
        Assert.All(accepted, r => Assert.Equal(AcceptStatus.Queued, r.Status));

        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (finals.Count < messages.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.All(messages, m => Assert.Equal(MessageStatus.Sent, finals.GetValueOrDefault(m.Id)));
        Assert.All(messages, m => Assert.Equal(1, operators.Sends(m.Id))); // a failed batch capture kept the answer: no resend
        foreach (var user in users)
        {
            var balance = await ledger.GetBalanceAsync(user, None);
            Assert.Equal((0L, messages.Where(m => m.UserId == user).Sum(m => m.Cost)), (balance.Reserved, balance.Spent));
        }

        Assert.Equal(0, ledger.SingleDispatchCalls); // every begin-send and capture went through the batch methods
        Assert.Equal((0, messages.Length), (ledger.SingleConfirmCalls, ledger.ConfirmItems)); // and every confirm, once each
        // Each message once, plus the redeliveries of the failed batches' items (begin-send finds their attempt started and
        // the stage settles the answer it kept, as asserted above by the single operator send).
        Assert.InRange(ledger.BeginSendItems, messages.Length + 1, int.MaxValue);
        Assert.InRange(ledger.SettleItems, messages.Length + 1, int.MaxValue);
    }

    // A ledger seen as remote by the dispatch stage (not the in-memory type): batch methods counted, the first
    // SettleFailures batch settles fail as a stalled ledger would, single dispatch calls counted (expected: none).
    private sealed class BatchOnlyLedger(InMemoryBalanceLedger ledger) : SingleCallsOnly(ledger), IBalanceLedger
    {
        private int _settleCalls;
        private int _beginSendItems;
        private int _settleItems;
        private int _confirmItems;
        private int _confirmCalls;

        public int SettleFailures { get; init; }

        public int BeginSendItems => Volatile.Read(ref _beginSendItems);

        public int SettleItems => Volatile.Read(ref _settleItems);

        public ValueTask<BeginSendResult[]> BeginSendManyAsync(IReadOnlyList<BeginSendRequest> items, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _beginSendItems, items.Count);
            return Inner.BeginSendManyAsync(items, cancellationToken);
        }

        public int ConfirmItems => Volatile.Read(ref _confirmItems);

        public int ConfirmFailures { get; init; }

        public int ConfirmCalls => Volatile.Read(ref _confirmCalls);

        public ValueTask<ConfirmOutcome[]> ConfirmManyAsync(IReadOnlyList<ConfirmRequest> items, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _confirmItems, items.Count);
            return Interlocked.Increment(ref _confirmCalls) <= ConfirmFailures
                ? throw new LedgerUnavailableException("ledger stalled (test)")
                : ((IBalanceLedger)Inner).ConfirmManyAsync(items, cancellationToken);
        }

        public ValueTask<SettleOutcome[]> SettleManyAsync(IReadOnlyList<SettleRequest> items, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _settleItems, items.Count);
            return Interlocked.Increment(ref _settleCalls) <= SettleFailures
                ? throw new LedgerUnavailableException("ledger stalled (test)")
                : Inner.SettleManyAsync(items, cancellationToken);
        }
    }

    // Forwards every single-item call and implements no batch method: the interface's defaults apply.
    private class SingleCallsOnly(InMemoryBalanceLedger inner) : IBalanceLedger
    {
        private int _singleDispatchCalls;
        private int _singleConfirmCalls;

        public InMemoryBalanceLedger Inner => inner;

        public int SingleDispatchCalls => Volatile.Read(ref _singleDispatchCalls);

        public int SingleConfirmCalls => Volatile.Read(ref _singleConfirmCalls);

        public ValueTask<Balance> ChargeAsync(string userId, long amount, string chargeId, CancellationToken cancellationToken) => inner.ChargeAsync(userId, amount, chargeId, cancellationToken);

        public ValueTask<ReserveOutcome[]> ReserveAsync(string userId, IReadOnlyList<Reservation> reservations, long fencingToken, CancellationToken cancellationToken) =>
            inner.ReserveAsync(userId, reservations, fencingToken, cancellationToken);

        public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, CancellationToken cancellationToken) => CaptureAsync(userId, messageId, null, cancellationToken);

        public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _singleDispatchCalls);
            return inner.CaptureAsync(userId, messageId, operatorMessageId, cancellationToken);
        }

        public ValueTask<SettleOutcome> RefundAsync(string userId, Guid messageId, CancellationToken cancellationToken) => inner.RefundAsync(userId, messageId, cancellationToken);

        public ValueTask<Balance> GetBalanceAsync(string userId, CancellationToken cancellationToken) => inner.GetBalanceAsync(userId, cancellationToken);

        public ValueTask<BeginSendResult> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _singleDispatchCalls);
            return inner.BeginSendAsync(userId, messageId, attempt, cancellationToken);
        }

        public ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken) => inner.CancelAsync(userId, messageId, cancellationToken);

        public ValueTask<ConfirmOutcome[]> ConfirmAsync(string userId, IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _singleConfirmCalls);
            return inner.ConfirmAsync(userId, messageIds, cancellationToken);
        }

        public ValueTask<ReservationSweep> SweepExpiredAsync(TimeSpan confirmDeadline, int maxCount, CancellationToken cancellationToken) =>
            inner.SweepExpiredAsync(confirmDeadline, maxCount, cancellationToken);
    }
}
