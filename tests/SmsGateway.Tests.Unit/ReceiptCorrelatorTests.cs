using System.Collections.Concurrent;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Receipts;
using SmsGateway.Status;

namespace SmsGateway.Tests.Unit;

public sealed class ReceiptCorrelatorTests
{
    private static SmsMessage Message(int attempt = 1) =>
        new(MessageIds.New(), "u1", "+989121234567", "hello", MessageType.Normal, "MCI", SmsEncoding.Gsm7, 1, 1150, DateTimeOffset.UtcNow, attempt);

    private static DeliveryReceipt Receipt(string id, ReceiptOutcome outcome = ReceiptOutcome.Delivered, string op = "MCI") =>
        new(op, id, outcome, outcome == ReceiptOutcome.Delivered ? "DELIVRD" : "UNDELIV", outcome == ReceiptOutcome.Delivered ? "000" : "013", DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_receipt_after_its_id_becomes_a_delivered_event_of_the_sent_attempt()
    {
        using var correlator = new ReceiptCorrelator();
        var message = Message(attempt: 2);
        await correlator.RegisterAsync("MCI", "abc", message, CancellationToken.None);
        Assert.Equal(1, correlator.Tracked);

        await correlator.OnReceiptAsync(Receipt("abc"), CancellationToken.None);

        Assert.True(correlator.Matches.TryRead(out var match));
        var e = match.ToStatusEvent();
        Assert.Equal(message.Id, e.MessageId);
        Assert.Equal(MessageStatus.Delivered, e.Status);
        Assert.Equal(2, e.Attempt);
        Assert.Equal("DELIVRD:000", e.ErrorCode);
        Assert.Equal(0, correlator.Tracked);
    }

    [Fact]
    public async Task A_receipt_before_its_id_is_parked_and_matched_when_the_id_comes()
    {
        using var correlator = new ReceiptCorrelator();
        await correlator.OnReceiptAsync(Receipt("early", ReceiptOutcome.Undelivered), CancellationToken.None);
        Assert.False(correlator.Matches.TryRead(out _));
        Assert.Equal(1, correlator.Parked);

        var message = Message();
        await correlator.RegisterAsync("mci", "early", message, CancellationToken.None); // operator names are case-insensitive

        Assert.True(correlator.Matches.TryRead(out var match));
        var e = match.ToStatusEvent();
        Assert.Equal(MessageStatus.Undelivered, e.Status);
        Assert.Equal("UNDELIV:013", e.ErrorCode);
        Assert.Equal(0, correlator.Parked);
        Assert.Equal(0, correlator.Tracked);
    }

    [Fact]
    public async Task Ids_are_per_operator_and_expire_after_their_ttl()
    {
        var time = new ManualTime();
        using var correlator = new ReceiptCorrelator(new ReceiptOptions { Ttl = TimeSpan.FromHours(1), ParkTtl = TimeSpan.FromMinutes(1) }, time);
        await correlator.RegisterAsync("MCI", "x", Message(), CancellationToken.None);
        await correlator.OnReceiptAsync(Receipt("x", op: "MTN"), CancellationToken.None); // same id, other operator: no match
        Assert.False(correlator.Matches.TryRead(out _));

        time.Advance(TimeSpan.FromMinutes(2));
        correlator.Sweep();
        Assert.Equal(0, correlator.Parked);
        Assert.Equal(1, correlator.Tracked);

        time.Advance(TimeSpan.FromHours(1));
        correlator.Sweep();
        Assert.Equal(0, correlator.Tracked);
        await correlator.OnReceiptAsync(Receipt("x"), CancellationToken.None);
        Assert.False(correlator.Matches.TryRead(out _));
    }

    [Fact]
    public async Task Parking_is_bounded()
    {
        using var correlator = new ReceiptCorrelator(new ReceiptOptions { MaxParked = 2 });
        for (int i = 0; i < 5; i++)
        {
            await correlator.OnReceiptAsync(Receipt("p" + i), CancellationToken.None);
        }

        Assert.Equal(2, correlator.Parked);
    }

    [Fact]
    public async Task Receipts_racing_their_ids_are_each_matched_once()
    {
        using var correlator = new ReceiptCorrelator();
        var messages = Enumerable.Range(0, 5000).Select(_ => Message()).ToArray();
        var register = Task.Run(async () =>
        {
            for (int i = 0; i < messages.Length; i++)
            {
                await correlator.RegisterAsync("MCI", "id" + i, messages[i], CancellationToken.None);
            }
        });
        var receipts = Task.Run(async () =>
        {
            for (int i = messages.Length - 1; i >= 0; i--)
            {
                await correlator.OnReceiptAsync(Receipt("id" + i), CancellationToken.None);
            }
        });
        var seen = new HashSet<Guid>();
        while (seen.Count < messages.Length)
        {
            var match = await correlator.Matches.ReadAsync();
            Assert.True(seen.Add(match.Message.Id));
        }

        await Task.WhenAll(register, receipts);
        Assert.Equal(0, correlator.Parked);
        Assert.Equal(0, correlator.Tracked);
    }

    [Theory]
    [InlineData(MessageStatus.Delivered, MessageStatus.Sent, false)] // a late "sent" does not overwrite "delivered"
    [InlineData(MessageStatus.Sent, MessageStatus.Delivered, true)]
    [InlineData(MessageStatus.Sent, MessageStatus.Undelivered, true)]
    [InlineData(MessageStatus.Undelivered, MessageStatus.Sent, false)]
    public void Receipt_statuses_win_over_sent_of_the_same_attempt(MessageStatus current, MessageStatus candidate, bool wins)
    {
        var e = StatusEvent.For(Message(), candidate, DateTimeOffset.UtcNow);
        Assert.Equal(wins, StatusPrecedence.Supersedes(e, current, 1));
    }

    [Fact(Timeout = 60_000)]
    public async Task With_simulator_receipts_every_message_ends_delivered_or_undelivered_in_the_reports()
    {
        var ledger = new InMemoryBalanceLedger();
        var store = new InMemoryStatusStore();
        var simulator = new OperatorSimulatorOptions { DeliveryReceipts = true, UndeliveredShare = 0.2, Seed = 3 };
        await using var pipeline = new SmsPipelineBuilder().WithLedger(ledger).WithStatusStore(store).WithOperatorSimulator(simulator).Build();
        var receipts = new ConcurrentDictionary<Guid, MessageStatus>();
        pipeline.StatusPublished += e => { if (e.Status is MessageStatus.Delivered or MessageStatus.Undelivered) receipts[e.MessageId] = e.Status; };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000_000, "c1", CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            pipeline.SendAsync(new SendRequest($"0912{i:D7}", "hello " + i, i % 2 == 0 ? "express" : "normal", "u1"), CancellationToken.None)));
        Assert.All(results, r => Assert.Equal(AcceptStatus.Queued, r.Status));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receipts.Count < results.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await pipeline.StopAsync(CancellationToken.None);
        Assert.Equal(results.Length, receipts.Count);
        var report = await store.GetReportAsync(new ReportQuery("u1", Limit: 1), CancellationToken.None);
        long delivered = report.Counts[MessageStatus.Delivered], undelivered = report.Counts[MessageStatus.Undelivered];
        Assert.Equal(results.Length, delivered + undelivered);
        Assert.InRange(undelivered, 50, 150); // 20 % of 500, loosely
        Assert.Equal(0, pipeline.Receipts.Parked);
        Assert.Equal(0, pipeline.Receipts.Tracked);
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
