using System.Collections.Concurrent;
using System.Text;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;

namespace SmsGateway.Tests.Nats;

/// <summary>Issue 12 on a real nats-server: only undecodable messages are dead-lettered; the dead stream is listed and replayed.</summary>
[Collection(NatsCollection.Name)]
public sealed class DeadLetterTests(NatsServer server)
{
    private NatsTransport NewTransport()
    {
        var id = Unique.Name("D");
        return new NatsTransport(new NatsTransportOptions { Url = server.Url, StreamPrefix = id + "_", SubjectPrefix = id.ToLowerInvariant() }, null);
    }

    private static OutgoingMessage Msg(string text, string id) =>
        new("user-1", Encoding.UTF8.GetBytes(text), id, new Dictionary<string, string> { [TransportHeaders.TraceParent] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });

    private static async Task<IDelivery> NextAsync(IMessageSubscription sub)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await sub.Deliveries.ReadAsync(cts.Token);
    }

    [Fact(Timeout = 30_000)]
    public async Task By_default_the_transport_never_dead_letters_a_message_by_its_delivery_count()
    {
        await using var t = NewTransport();
        Assert.Equal(0, t.Options.MaxDeliver);
        await using var sub = await t.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 8 }, CancellationToken.None);
        await t.PublishAsync(Topics.Express, Msg("waits out an outage", "m-1"), CancellationToken.None);

        IDelivery d;
        do
        {
            d = await NextAsync(sub);
            if (d.DeliveryCount < 12)
            {
                await d.NakAsync(TimeSpan.Zero, CancellationToken.None);
            }
        }
        while (d.DeliveryCount < 12); // past the old cap of 10

        await d.AckAsync(CancellationToken.None);
        Assert.Empty(await t.ListAsync(null, 10, CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task Dead_lettered_message_is_listed_with_its_reason_and_replayed_to_its_topic()
    {
        await using var t = NewTransport();
        await using var sub = await t.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 8 }, CancellationToken.None);
        await t.PublishAsync(Topics.Express, Msg("{garbage", "g-1"), CancellationToken.None);
        var d = await NextAsync(sub);
        await d.DeadLetterAsync("undecodable: test", CancellationToken.None);

        long left = -1;
        for (var deadline = DateTime.UtcNow.AddSeconds(5); left != 0 && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            left = (await t.JetStream.GetStreamAsync(t.Options.StreamOf(Topics.Express), cancellationToken: CancellationToken.None)).Info.State.Messages;
        }

        Assert.Equal(0, left); // removed from the work queue (the ack reaches the server asynchronously)
        var letter = Assert.Single(await t.ListAsync(Topics.Express, 10, CancellationToken.None));
        Assert.Equal((Topics.Express, "undecodable: test", 8, "user-1"), (letter.Topic, letter.Reason, letter.Size, letter.Key));
        Assert.InRange(letter.At, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Empty(await t.ListAsync(Topics.Status, 10, CancellationToken.None));

        var replay = await t.ReplayAsync(null, [letter.Id, "999999"], CancellationToken.None);
        Assert.Equal([letter.Id], replay.Replayed);
        Assert.Equal(["999999"], replay.NotFound);

        var again = await NextAsync(sub);
        Assert.Equal("{garbage", Encoding.UTF8.GetString(again.Payload.Span));
        Assert.Equal(1, again.DeliveryCount); // a new message, not a redelivery
        Assert.Equal("user-1", again.Key);
        Assert.Equal(Msg("x", "x").Headers![TransportHeaders.TraceParent], again.Headers[TransportHeaders.TraceParent]);
        Assert.DoesNotContain(again.Headers.Keys, k => k.StartsWith("sms-dead-", StringComparison.Ordinal));
        await again.AckAsync(CancellationToken.None);
        Assert.Empty(await t.ListAsync(null, 10, CancellationToken.None)); // removed from the dead stream
    }

    [Fact(Timeout = 90_000)]
    public async Task A_ledger_outage_during_settle_is_waited_out_past_ten_deliveries_and_nothing_is_dead_lettered()
    {
        await using var t = NewTransport();
        var ledger = new StallingLedger(new InMemoryBalanceLedger()) { CaptureFailures = 12 };
        // A generous accept deadline: this test is about settle, and the first accept of a cold pipeline (JIT, the first
        // JetStream publish) on a loaded 2-core CI machine once took past the default 900 ms and was answered 429.
        var options = new PipelineOptions
        {
            OutageRetryMin = TimeSpan.FromMilliseconds(20),
            OutageRetryMax = TimeSpan.FromMilliseconds(400),
            AcceptDeadline = TimeSpan.FromSeconds(20),
        };
        var operators = new CountingOperator();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(t).WithLedger(ledger).WithOperatorClient(operators).Build();
        var final = new TaskCompletionSource<StatusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.StatusPublished += e => { if (e.Status.IsFinal()) final.TrySetResult(e); };
        await pipeline.StartAsync(PipelineRoles.Gateway | PipelineRoles.Dispatcher, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000, "c1", CancellationToken.None);

        var accepted = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "u1"), CancellationToken.None);
        Assert.Equal(AcceptStatus.Queued, accepted.Status);

        Assert.Equal(MessageStatus.Sent, (await final.Task).Status);
        Assert.Equal(13, ledger.CaptureCalls);
        var gaps = ledger.Gaps();
        Assert.True(gaps[^3..].Average() > 3 * gaps[..3].Min(), $"the pause grows with each delivery: {string.Join(", ", gaps.Select(g => (int)g))} ms");
        Assert.Equal(1, operators.Sends(accepted.Message!.Id));
        Assert.Empty(await t.ListAsync(null, 10, CancellationToken.None));
    }

    private sealed class CountingOperator : IOperatorClient
    {
        private readonly ConcurrentDictionary<Guid, int> _sends = new();

        public int Sends(Guid id) => _sends.GetValueOrDefault(id);

        public ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
        {
            _sends.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
            return ValueTask.FromResult(new SendResult(SendOutcome.Accepted, null, "op-1"));
        }
    }

    private sealed class StallingLedger(IBalanceLedger inner) : IBalanceLedger
    {
        private readonly ConcurrentQueue<long> _captureTimes = new();
        private int _captureCalls;

        public int CaptureFailures { get; init; }

        public int CaptureCalls => Volatile.Read(ref _captureCalls);

        /// <summary>Ms between consecutive capture calls.</summary>
        public double[] Gaps()
        {
            var times = _captureTimes.ToArray();
            return [.. times.Zip(times.Skip(1), (a, b) => (double)(b - a))];
        }

        public ValueTask<Balance> ChargeAsync(string userId, long amount, string chargeId, CancellationToken cancellationToken) => inner.ChargeAsync(userId, amount, chargeId, cancellationToken);

        public ValueTask<ReserveOutcome[]> ReserveAsync(string userId, IReadOnlyList<Reservation> reservations, long fencingToken, CancellationToken cancellationToken) =>
            inner.ReserveAsync(userId, reservations, fencingToken, cancellationToken);

        public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, CancellationToken cancellationToken) => CaptureAsync(userId, messageId, null, cancellationToken);

        public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken)
        {
            _captureTimes.Enqueue(Environment.TickCount64);
            return Interlocked.Increment(ref _captureCalls) <= CaptureFailures
                ? throw new LedgerUnavailableException("ledger stalled (test)")
                : inner.CaptureAsync(userId, messageId, operatorMessageId, cancellationToken);
        }

        public ValueTask<SettleOutcome> RefundAsync(string userId, Guid messageId, CancellationToken cancellationToken) => inner.RefundAsync(userId, messageId, cancellationToken);

        public ValueTask<Balance> GetBalanceAsync(string userId, CancellationToken cancellationToken) => inner.GetBalanceAsync(userId, cancellationToken);

        public ValueTask<BeginSendResult> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken) =>
            inner.BeginSendAsync(userId, messageId, attempt, cancellationToken);

        public ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken) =>
            inner.CancelAsync(userId, messageId, cancellationToken);

        public ValueTask<ConfirmOutcome[]> ConfirmAsync(string userId, IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken) => inner.ConfirmAsync(userId, messageIds, cancellationToken);

        public ValueTask<ReservationSweep> SweepExpiredAsync(TimeSpan confirmDeadline, int maxCount, CancellationToken cancellationToken) =>
            inner.SweepExpiredAsync(confirmDeadline, maxCount, cancellationToken);
    }
}
