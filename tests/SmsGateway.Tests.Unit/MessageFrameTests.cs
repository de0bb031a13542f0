using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Locking;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Serialization;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit;

/// <summary>Version-2 message frames: many messages in one broker message (docs/architecture.md "Message frames").</summary>
public sealed class MessageFrameTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static SmsMessage Message(int i) =>
        new(Guid.NewGuid(), "u1", $"+98912{i:D7}", "کد " + i, MessageType.Express, "MCI", SmsEncoding.Ucs2, 1, 1150,
            DateTimeOffset.UnixEpoch.AddSeconds(i), Attempt: 1 + i % 3);

    [Fact]
    public void A_frame_reads_back_every_message_in_order_and_a_single_message_still_reads_as_version_1()
    {
        var messages = Enumerable.Range(0, 5).Select(i => Message(i)).ToArray();
        var frame = TransportCodec.ForMessages(messages);

        Assert.StartsWith("{\"version\":2,\"messages\":[", Encoding.UTF8.GetString(frame.Payload.Span), StringComparison.Ordinal);
        Assert.True(MessageFrameJson.IsFrame(frame.Payload.Span));
        Assert.Equal("u1", frame.Key);
        Assert.Equal($"f{messages[0].Id:N}.1.5", frame.MessageId);
        var read = MessageFrameJson.Read(frame.Payload.Span);
        Assert.Equal(messages, read.Select(r => r.Message));
        for (int i = 0; i < read.Length; i++)
        {
            // each range is that message's own version-1 object
            Assert.Equal(messages[i], PipelineJson.DeserializeMessage(frame.Payload.Span[read[i].Bytes]));
        }

        Assert.Equal(messages, PipelineJson.DeserializeMessages(frame.Payload.Span));
        var single = PipelineJson.Serialize(messages[0]);
        Assert.False(MessageFrameJson.IsFrame(single));
        Assert.Equal([messages[0]], PipelineJson.DeserializeMessages(single));
    }

    [Fact]
    public void A_frame_written_in_one_pass_has_the_bytes_of_its_messages_serialized_one_by_one()
    {
        string[] texts = ["کد ۱۲۳۴ \"quoted\" \\ back", "line\nbreak\ttab\u0001 <b>&amp;</b> +98 'x'", "emoji 😀 and é", new string('ی', 400)];
        var messages = texts.Select((t, i) => Message(i) with { Text = t, From = i == 1 ? "+98 sender" : null, CallbackUrl = i == 2 ? "https://x.test/cb?a=1&b=<2>" : null }).ToArray();

        byte[] oneByOne = MessageFrameJson.Write(messages.Select(PipelineJson.Serialize).ToArray());
        byte[] onePass = MessageFrameJson.Write(messages);

        Assert.Equal(Encoding.UTF8.GetString(oneByOne), Encoding.UTF8.GetString(onePass));
        Assert.Equal(oneByOne, onePass);
        Assert.Equal(onePass, TransportCodec.ForMessages(messages).Payload.ToArray());
        Assert.Equal(onePass, MessageFrameJson.Write(messages)); // the per-thread scratch is reset between frames
    }

    /// <summary>
    /// The in-memory transport's dispatcher takes the accept stage's messages instead of decoding the frame, and the frame's
    /// bytes are written only if read. So the handed-over form must be what a reader of those bytes gets (the same messages,
    /// without the stored-text flag, which is not written to the broker), the bytes must be those of an ordinary publish, and
    /// an item of the split frame must give its message's slice of them.
    /// </summary>
    [Fact]
    public void Handed_over_messages_are_what_the_bytes_written_on_read_decode_to()
    {
        var messages = Enumerable.Range(0, 4).Select(i => Message(i) with { StoreText = i == 2, Text = new string('پ', i * 90) + "\"" }).ToArray();

        var frame = TransportCodec.ForMessages(messages, withDecoded: true);
        var lone = TransportCodec.ForMessages([messages[2]], withDecoded: true);

        Assert.True(frame.Payload.IsEmpty);
        Assert.True(lone.Payload.IsEmpty);
        var plain = TransportCodec.ForMessages(messages);
        Assert.Equal(plain.Payload.ToArray(), frame.Bytes().ToArray());
        Assert.Equal(plain.MessageId, frame.MessageId);
        Assert.Equal(TransportCodec.ForMessage(messages[2]).Payload.ToArray(), lone.Bytes().ToArray());
        Assert.Null(plain.Decoded);

        var handed = Assert.IsType<SmsMessage[]>(frame.Decoded);
        var read = MessageFrameJson.Read(frame.Bytes().Span);
        Assert.Equal(read.Select(r => r.Message), handed);
        Assert.False(handed[2].StoreText);
        Assert.Same(messages[1], handed[1]); // no copy when nothing differs
        Assert.Equal(PipelineJson.DeserializeMessage(lone.Bytes().Span), Assert.IsType<SmsMessage>(lone.Decoded));

        var items = FramedDelivery.Split(new RecordingDelivery(), handed);
        for (int i = 0; i < items.Length; i++)
        {
            Assert.Equal(frame.Bytes().Span[read[i].Bytes].ToArray(), items[i].Payload.ToArray());
        }
    }

    [Theory]
    [InlineData("{\"version\":3,\"messages\":[]}")]
    [InlineData("{\"version\":2,\"messages\":[]}")]
    [InlineData("{\"version\":2}")]
    [InlineData("{\"version\":2,\"messages\":[{\"id\":1}]}")]
    [InlineData("{\"version\":2,\"messages\":[1,2]}")]
    [InlineData("{\"version\":2,\"messages\":[]}{}")]
    public void A_malformed_frame_is_a_json_error(string payload) =>
        Assert.ThrowsAny<JsonException>(() => MessageFrameJson.Read(Encoding.UTF8.GetBytes(payload)));

    [Fact]
    public async Task The_frame_is_acked_once_after_its_last_item_and_a_second_settle_of_an_item_is_ignored()
    {
        var frame = new RecordingDelivery();
        var items = FramedDelivery.Split(frame, [0..1, 1..2, 2..3]);
        await items[0].AckAsync(None);
        await items[0].NakAsync(TimeSpan.FromSeconds(9), None); // ignored: settled already
        await items[2].AckAsync(None);
        Assert.Empty(frame.Settles);
        await items[1].AckAsync(None);
        Assert.Equal(["ack"], frame.Settles);
        Assert.Equal("b", Encoding.UTF8.GetString(items[1].Payload.Span));
    }

    [Fact]
    public async Task One_nak_naks_the_whole_frame_with_the_longest_pause_asked_and_an_item_is_never_dead_lettered_alone()
    {
        var frame = new RecordingDelivery();
        var items = FramedDelivery.Split(frame, [0..1, 1..2, 2..3]);
        await Assert.ThrowsAsync<TransportException>(() => items[0].DeadLetterAsync("undecodable", None).AsTask());
        await items[0].NakAsync(TimeSpan.FromMilliseconds(200), None);
        await items[1].AckAsync(None);
        await items[2].NakAsync(TimeSpan.FromMilliseconds(50), None);
        Assert.Equal(["nak 200"], frame.Settles);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_bulk_batch_goes_out_as_frames_and_a_redelivered_frame_sends_nothing_again()
    {
        var transport = new RecordingTransport(new InMemoryTransport());
        await using var _ = transport;
        var ledger = new InMemoryBalanceLedger();
        var operators = new CountingOperator();
        var options = new PipelineOptions { MessageFrameSize = 100 };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).WithOperatorClient(operators).Build();
        var sent = new ConcurrentDictionary<Guid, int>();
        pipeline.StatusPublished += e => { if (e.Status == MessageStatus.Sent) sent.AddOrUpdate(e.MessageId, 1, (_, n) => n + 1); };
        await pipeline.StartAsync(PipelineRoles.All, None);
        await ledger.ChargeAsync("u1", 1_000_000, "c1", None);

        var requests = Enumerable.Range(0, 250).Select(i => new SendRequest($"0912{i:D7}", "bulk " + i, i % 5 == 0 ? "normal" : "express", "u1")).ToList();
        var results = await pipeline.SendBatchAsync(requests, Guid.NewGuid(), None);
        Assert.All(results, r => Assert.Equal(AcceptStatus.Queued, r.Status));
        await Eventually.WaitUntilAsync(() => sent.Count == 250, "every message sent");

        // 200 express messages in frames of 100, 50 normal ones in one frame: 3 publishes for 250 messages.
        var frames = transport.Published.ToArray();
        Assert.Equal([100, 100], frames.Where(f => f.Topic == Topics.Express).Select(f => f.Messages.Count));
        Assert.Equal([50], frames.Where(f => f.Topic == Topics.Normal).Select(f => f.Messages.Count));

        // The first frame again, as a broker delivers it after a lost ack: "sent" is reported again, nothing is sent again.
        var first = frames[0];
        await transport.PublishAsync(first.Topic, new OutgoingMessage("u1", first.Payload, "redelivery"), None);
        await Eventually.WaitUntilAsync(() => first.Messages.All(m => sent[m.Id] == 2), "the redelivered frame's sent statuses");
        await Eventually.WaitUntilAsync(() => transport.Inner.Pending(Topics.Express, options.DispatchGroup) == 0, "the redelivered frame acked");
        Assert.All(results, r => Assert.Equal(1, operators.Sends(r.Message!.Id)));
        Assert.Equal(new Balance("u1", 1_000_000 - 250 * 1150, 0, 250 * 1150), await ledger.GetBalanceAsync("u1", None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Messages_that_find_their_lane_full_go_back_as_a_new_frame_and_each_is_sent_once()
    {
        var operators = new GatedOperator();
        await using var run = await BulkRun.StartAsync(new PipelineOptions { LaneCapacity = 2, LaneFullDelay = TimeSpan.FromMilliseconds(10), MessageFrameSize = 100 }, operators);
        var (transport, results) = (run.Transport, run.Results);

        // The lane holds 2 (the operator holds every send it took): the rest of the frame is published back as a new frame.
        await Eventually.WaitUntilAsync(() => transport.Published.Count(f => f.Topic == Topics.Express) >= 2, "a frame published back");
        var requeued = transport.Published.Where(f => f.Topic == Topics.Express).Skip(1).First();
        Assert.InRange(requeued.Messages.Count, 1, 100 - 2);
        Assert.Subset(results.Select(r => r.Message!.Id).ToHashSet(), requeued.Messages.Select(m => m.Id).ToHashSet());
        Assert.Equal(100, transport.Published.First().Messages.Count);

        operators.Open();
        await run.AssertEachSentOnceAsync(operators.Sends, pricePerMessage: 1150);
    }

    /// <summary>
    /// The same lane-full hand-back over the plain in-memory transport, where dispatch takes the accept stage's messages as
    /// handed over and the frame's bytes are never written: the rest must still go back (made of each item's own bytes) and
    /// every message be sent once.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task Handed_over_messages_that_find_their_lane_full_go_back_as_a_new_frame_and_each_is_sent_once()
    {
        var ledger = new InMemoryBalanceLedger();
        var operators = new GatedOperator();
        var options = new PipelineOptions { LaneCapacity = 2, LaneFullDelay = TimeSpan.FromMilliseconds(10), LaneRoomWait = TimeSpan.FromMilliseconds(20), MessageFrameSize = 100 };
        await using var transport = new InMemoryTransport();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).WithOperatorClient(operators).Build();
        using var requeued = new CounterTotal(pipeline.Metrics.Meter, "sms.dispatch.frame_requeued");
        await pipeline.StartAsync(PipelineRoles.All, None);
        await ledger.ChargeAsync("u1", 1_000_000, "c1", None);

        var requests = Enumerable.Range(0, 100).Select(i => new SendRequest($"0912{i:D7}", "bulk " + i, "express", "u1")).ToList();
        var results = await pipeline.SendBatchAsync(requests, Guid.NewGuid(), None);
        Assert.All(results, r => Assert.Equal(AcceptStatus.Queued, r.Status));
        await Eventually.WaitUntilAsync(() => requeued.Value > 0, "the rest of the frame published back");

        operators.Open();
        await Eventually.WaitUntilAsync(() => results.All(r => operators.Sends(r.Message!.Id) == 1), "every message sent");
        await Eventually.WaitUntilAsync(() => transport.Pending(Topics.Express, options.DispatchGroup) == 0, "every frame acked");
        Assert.All(results, r => Assert.Equal(1, operators.Sends(r.Message!.Id)));
        Assert.Equal(new Balance("u1", 1_000_000 - (100 * 1150), 0, 100 * 1150), await ledger.GetBalanceAsync("u1", None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Messages_that_find_a_busy_lane_full_wait_for_room_and_the_frame_is_never_published_back()
    {
        // The same lane of 2 as above, but the operator sends (slowly, 2 ms each): the lane makes room as it sends, so each
        // message waits for it (LaneRoomWait, long here so that a slow machine cannot turn a wait into a hand-back).
        var operators = new SlowOperator(TimeSpan.FromMilliseconds(2));
        await using var run = await BulkRun.StartAsync(new PipelineOptions { LaneCapacity = 2, LaneRoomWait = TimeSpan.FromSeconds(10), MessageFrameSize = 100 }, operators);

        await run.AssertEachSentOnceAsync(operators.Sends, pricePerMessage: 1150);
        Assert.Equal([100], run.Transport.Published.Where(f => f.Topic == Topics.Express).Select(f => f.Messages.Count));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_lane_slower_than_the_frame_budget_gets_its_messages_back_instead_of_setting_the_consumers_pace()
    {
        // One send at a time, 20 ms each: the lane frees a slot every 20 ms (sooner than LaneRoomWait), but 100 messages would
        // hold the consumer for 2 s. The frame waits at most LaneRoomWait in all, then the rest goes back as a new frame.
        var operators = new SlowOperator(TimeSpan.FromMilliseconds(20));
        var options = new PipelineOptions
        {
            LaneCapacity = 1,
            LaneRoomWait = TimeSpan.FromMilliseconds(100),
            LaneFullDelay = TimeSpan.FromMilliseconds(10),
            MessageFrameSize = 100,
        };
        await using var run = await BulkRun.StartAsync(options, operators, OperatorTable.Parse(DispatchLaneTests.Table(mciConcurrency: 1, mciRate: 0)));

        await Eventually.WaitUntilAsync(() => run.Transport.Published.Count(f => f.Topic == Topics.Express) >= 2, "the rest published back");
        await run.AssertEachSentOnceAsync(operators.Sends, pricePerMessage: 1); // 1 per segment here
    }

    [Fact(Timeout = 30_000)]
    public async Task Single_requests_of_several_users_reserved_in_one_partition_batch_share_a_frame_per_topic_and_each_user_pays_once()
    {
        var transport = new RecordingTransport(new InMemoryTransport());
        await using var _ = transport;
        var ledger = new InMemoryBalanceLedger();
        var operators = new CountingOperator();
        var locks = new LockGated("user:z");
        var options = new PipelineOptions { AcceptPartitions = 1, AcceptDeadline = TimeSpan.FromSeconds(20), AcceptQueueBudget = TimeSpan.Zero };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).WithLocks(locks)
            .WithOperatorClient(operators).Build();
        await pipeline.StartAsync(PipelineRoles.All, None);
        string[] users = ["a", "b", "c", "d"];
        foreach (var u in users)
        {
            await ledger.ChargeAsync(u, 1_000_000, "c-" + u, None);
        }

        // The partition's first batch (user z) waits for its lock; meanwhile eight single requests of four users queue.
        await ledger.ChargeAsync("z", 1_000_000, "c-z", None);
        var first = pipeline.SendAsync(new SendRequest("09120000000", "first", "express", "z"), None);
        await locks.FirstRequested;
        var queued = Enumerable.Range(0, 8).Select(i => pipeline.SendAsync(
            new SendRequest($"0912{i:D7}", "hi " + i, i % 2 == 0 ? "express" : "normal", users[i % 4]), None)).ToArray();
        locks.Release();
        var results = await Task.WhenAll(queued);
        Assert.Equal(AcceptStatus.Queued, (await first).Status);
        Assert.All(results, r => Assert.Equal(AcceptStatus.Queued, r.Status));
        await Eventually.WaitUntilAsync(() => results.All(r => operators.Sends(r.Message!.Id) == 1), "every message sent");

        // The second batch (z's frame is published concurrently, in either order): 4 express messages (users a, c) in one
        // publish, 4 normal ones (users b, d) in another.
        var frames = transport.Published.Where(f => f.Messages.All(m => m.UserId != "z")).ToArray();
        Assert.Equal(2, frames.Length);
        var express = Assert.Single(frames, f => f.Topic == Topics.Express);
        var normal = Assert.Single(frames, f => f.Topic == Topics.Normal);
        Assert.Equal(["a", "a", "c", "c"], express.Messages.Select(m => m.UserId).Order());
        Assert.Equal(["b", "b", "d", "d"], normal.Messages.Select(m => m.UserId).Order());
        Assert.Equal(results.Select(r => r.Message!.Id).Order(), frames.SelectMany(f => f.Messages).Select(m => m.Id).Order());
        foreach (var u in users)
        {
            var price = results.Where(r => r.Message!.UserId == u).Sum(r => r.Message!.Cost);
            Assert.Equal(new Balance(u, 1_000_000 - price, 0, price), await ledger.GetBalanceAsync(u, None));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Scheduled_messages_of_one_user_due_together_are_released_as_one_frame()
    {
        var transport = new RecordingTransport(new InMemoryTransport());
        await using var _ = transport;
        var ledger = new InMemoryBalanceLedger();
        var operators = new CountingOperator();
        await using var pipeline = new SmsPipelineBuilder().WithTransport(transport).WithLedger(ledger).WithOperatorClient(operators).Build();
        await pipeline.StartAsync(PipelineRoles.All, None);
        await ledger.ChargeAsync("u1", 1_000_000, "c1", None);

        var sendAt = DateTimeOffset.UtcNow.AddSeconds(2).ToString("O");
        var results = new List<AcceptResult>();
        for (int i = 0; i < 5; i++)
        {
            results.Add(await pipeline.SendAsync(new SendRequest($"0912{i:D7}", "later " + i, "express", "u1", SendAt: sendAt), None));
        }

        Assert.All(results, r => Assert.Equal(AcceptStatus.Scheduled, r.Status));
        Assert.Empty(transport.Published); // nothing is published before it is due
        await Eventually.WaitUntilAsync(() => results.All(r => operators.Sends(r.Message!.Id) == 1), "every scheduled message sent");
        var frame = Assert.Single(transport.Published);
        Assert.Equal(Topics.Express, frame.Topic);
        Assert.Equal(results.Select(r => r.Message!.Id).Order(), frame.Messages.Select(m => m.Id).Order());
        Assert.Equal(new Balance("u1", 1_000_000 - 5 * 1150, 0, 5 * 1150), await ledger.GetBalanceAsync("u1", None));
    }

    private sealed record Published(string Topic, byte[] Payload, IReadOnlyList<SmsMessage> Messages);

    // Records every publish to sms-express and sms-normal with the messages it carries, then forwards it.
    private sealed class RecordingTransport(InMemoryTransport inner) : IMessageTransport
    {
        public InMemoryTransport Inner => inner;

        public ConcurrentQueue<Published> Published { get; } = new();

        public ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken)
        {
            if (topic is Topics.Express or Topics.Normal)
            {
                Published.Enqueue(new(topic, message.Payload.ToArray(), PipelineJson.DeserializeMessages(message.Payload.Span)));
            }

            return inner.PublishAsync(topic, message, cancellationToken);
        }

        public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken) =>
            inner.SubscribeAsync(topic, consumerGroup, options, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    // The in-memory lock, except that the first request for one resource waits until Release.
    private sealed class LockGated(string gated) : IDistributedLockFactory
    {
        private readonly InMemoryLockFactory _inner = new();
        private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _requests;

        public Task FirstRequested => _requested.Task;

        public void Release() => _gate.TrySetResult();

        public async Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
        {
            if (resource == gated && Interlocked.Increment(ref _requests) == 1)
            {
                _requested.TrySetResult();
                await _gate.Task.WaitAsync(cancellationToken);
            }

            return await _inner.CreateLockAsync(resource, expiry, wait, retry, cancellationToken);
        }
    }

    // Holds every send until Open, then accepts; counts sends per message.
    private sealed class GatedOperator : IOperatorClient
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CountingOperator _counts = new();

        public void Open() => _open.TrySetResult();

        public int Sends(Guid id) => _counts.Sends(id);

        public async ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
        {
            await _open.Task.WaitAsync(cancellationToken);
            return await _counts.SendAsync(message, cancellationToken);
        }
    }

    // A pipeline with all roles over a recording in-memory transport, u1 charged 1,000,000, and 100 express messages of
    // u1 accepted in one bulk request (one frame).
    private sealed class BulkRun : IAsyncDisposable
    {
        private SmsPipeline _pipeline = null!;
        private PipelineOptions _options = null!;

        public RecordingTransport Transport { get; } = new(new InMemoryTransport());

        public InMemoryBalanceLedger Ledger { get; } = new();

        public IReadOnlyList<AcceptResult> Results { get; private set; } = [];

        public static async Task<BulkRun> StartAsync(PipelineOptions options, IOperatorClient operators, OperatorTable? table = null)
        {
            var run = new BulkRun { _options = options };
            var builder = new SmsPipelineBuilder().WithOptions(options).WithTransport(run.Transport).WithLedger(run.Ledger).WithOperatorClient(operators);
            run._pipeline = (table is null ? builder : builder.WithOperatorTable(table)).Build();
            await run._pipeline.StartAsync(PipelineRoles.All, None);
            await run.Ledger.ChargeAsync("u1", 1_000_000, "c1", None);
            var requests = Enumerable.Range(0, 100).Select(i => new SendRequest($"0912{i:D7}", "bulk " + i, "express", "u1")).ToList();
            run.Results = await run._pipeline.SendBatchAsync(requests, Guid.NewGuid(), None);
            Assert.All(run.Results, r => Assert.Equal(AcceptStatus.Queued, r.Status));
            return run;
        }

        // Every message sent exactly once, every frame acked, and the money of 100 sends spent.
        public async Task AssertEachSentOnceAsync(Func<Guid, int> sends, long pricePerMessage)
        {
            await Eventually.WaitUntilAsync(() => Results.All(r => sends(r.Message!.Id) == 1), "every message sent");
            await Eventually.WaitUntilAsync(() => Transport.Inner.Pending(Topics.Express, _options.DispatchGroup) == 0, "every frame acked");
            Assert.All(Results, r => Assert.Equal(1, sends(r.Message!.Id)));
            Assert.Equal(new Balance("u1", 1_000_000 - (100 * pricePerMessage), 0, 100 * pricePerMessage), await Ledger.GetBalanceAsync("u1", None));
        }

        public async ValueTask DisposeAsync()
        {
            await _pipeline.DisposeAsync();
            await Transport.DisposeAsync();
        }
    }

    private sealed class RecordingDelivery : IDelivery
    {
        public List<string> Settles { get; } = [];

        public string Topic => Topics.Express;

        public string Key => "u1";

        public ReadOnlyMemory<byte> Payload { get; } = "abc"u8.ToArray();

        public IReadOnlyDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

        public int DeliveryCount => 1;

        public ValueTask AckAsync(CancellationToken cancellationToken)
        {
            Settles.Add("ack");
            return default;
        }

        public ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            Settles.Add("nak " + delay.TotalMilliseconds);
            return default;
        }

        public ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
