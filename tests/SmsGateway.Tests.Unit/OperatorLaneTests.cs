using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Transport;
using System.Threading.Tasks.Dataflow;

namespace SmsGateway.Tests.Unit;

public sealed class OperatorLaneTests
{
    private static OperatorInfo Op(int concurrency) => new("MCI", "MCI", ["0912"], 1150, concurrency, 0, TimeSpan.FromSeconds(5));

    private static DispatchWork Work(int n, MessageType type) => new(
        new SmsMessage(MessageIds.New(), "u", "+989121234567", "m" + n, type, "MCI", SmsEncoding.Gsm7, 1, 1150, DateTimeOffset.UtcNow),
        new NoDelivery());

    [Fact(Timeout = 20_000)]
    public async Task A_send_that_throws_is_logged_and_its_worker_goes_on()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = new LoggerFactory([new FakeLoggerProvider(logs)]);
        var sent = new ConcurrentQueue<string>();
        var first = Work(0, MessageType.Normal);
        await using (var lane = new OperatorLane(Op(1), 10, (work, _, _) =>
        {
            sent.Enqueue(work.Message.Text);
            return work.Message.Text == "m0" ? throw new InvalidOperationException("receipt registry broken") : ValueTask.CompletedTask;
        }, logger: loggerFactory.CreateLogger("lane")))
        {
            Assert.True(lane.TryEnqueue(first));
            Assert.True(lane.TryEnqueue(Work(1, MessageType.Normal)));
        } // graceful: sends everything queued

        Assert.Equal(["m0", "m1"], sent); // the only worker survived the throw
        var record = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 7063);
        Assert.Contains(first.Message.Id.ToString(), record.Message, StringComparison.Ordinal);
        Assert.Equal("receipt registry broken", record.Exception!.Message);
    }

    [Fact(Timeout = 20_000)]
    public async Task Express_overtakes_a_normal_backlog_in_a_lane_of_concurrency_one()
    {
        var sent = new ConcurrentQueue<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var lane = new OperatorLane(Op(1), 100, async (work, _, _) =>
        {
            sent.Enqueue(work.Message.Text);
            firstStarted.TrySetResult();
            await gate.Task;
        });

        Assert.True(lane.TryEnqueue(Work(0, MessageType.Normal)));
        await firstStarted.Task; // the only send slot is now busy with m0
        for (int i = 1; i <= 50; i++)
        {
            Assert.True(lane.TryEnqueue(Work(i, MessageType.Normal)));
        }

        Assert.True(lane.TryEnqueue(Work(99, MessageType.Express)));
        Assert.Equal(51, lane.Queued);
        gate.SetResult();
        await lane.DisposeAsync(); // graceful: sends everything queued

        var order = sent.ToArray();
        Assert.Equal(52, order.Length);
        Assert.Equal("m0", order[0]);
        Assert.Equal("m99", order[1]);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => "m" + i), order.Skip(2));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_full_queue_refuses_without_waiting_and_concurrency_is_respected()
    {
        int inFlight = 0, maxInFlight = 0, done = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var lane = new OperatorLane(Op(3), 2, async (_, _, _) =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await gate.Task;
            Interlocked.Decrement(ref inFlight);
            Interlocked.Increment(ref done);
        });

        for (int i = 0; i < 3; i++)
        {
            Assert.True(lane.TryEnqueue(Work(i, MessageType.Normal)));
            while (Volatile.Read(ref inFlight) <= i)
            {
                await Task.Delay(5); // taken by a worker: the queue is empty again
            }
        }

        Assert.True(lane.TryEnqueue(Work(3, MessageType.Normal)));
        Assert.True(lane.TryEnqueue(Work(4, MessageType.Normal)));
        Assert.False(lane.TryEnqueue(Work(5, MessageType.Normal)), "a full normal queue must refuse (the caller naks)");
        Assert.True(lane.TryEnqueue(Work(6, MessageType.Express)), "the express queue has its own capacity");

        gate.SetResult();
        await lane.DisposeAsync();
        Assert.Equal(6, done);
        Assert.Equal(3, maxInFlight);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_wait_for_room_ends_when_a_worker_takes_a_message_and_a_lane_that_makes_none_is_left_alone_for_the_pause()
    {
        var None = CancellationToken.None;
        var (lane, release) = await FullLaneAsync();
        await using var _ = lane;
        Assert.False(lane.TryEnqueue(Work(2, MessageType.Normal)));

        // A worker that takes m1 out makes room and ends the wait.
        var waiting = lane.WaitForRoomAsync(MessageType.Normal, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), None).AsTask();
        Assert.False(waiting.IsCompleted);
        release.SetResult();
        Assert.True(await waiting);

        // A lane whose operator holds its sends makes no room: the wait runs out, and for the pause the lane answers at once.
        var (stalled, held) = await FullLaneAsync();
        await using var __ = stalled;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(await stalled.WaitForRoomAsync(MessageType.Normal, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), None));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(90), $"{clock.ElapsedMilliseconds} ms");
        clock.Restart();
        Assert.False(await stalled.WaitForRoomAsync(MessageType.Normal, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"waited {clock.ElapsedMilliseconds} ms within the pause");
        held.SetResult();
    }

    // A lane of capacity 1 with one worker that holds m0 in its send until Release is set, and m1 queued: the lane is full.
    private static async Task<(OperatorLane Lane, TaskCompletionSource Release)> FullLaneAsync()
    {
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lane = new OperatorLane(Op(1), 1, async (_, _, _) =>
        {
            sending.TrySetResult();
            await release.Task;
        });
        Assert.True(lane.TryEnqueue(Work(0, MessageType.Normal)));
        await sending.Task;
        Assert.True(lane.TryEnqueue(Work(1, MessageType.Normal)));
        return (lane, release);
    }

    [Fact(Timeout = 20_000)]
    public async Task As_a_target_block_the_lane_takes_posts_until_full_declines_consuming_offers_and_completes_after_its_sends()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int sent = 0;
        ITargetBlock<DispatchWork> lane = PipelineGraph.Lane(Op(1), new PipelineOptions { LaneCapacity = 2 }, async (_, _, _) =>
        {
            started.TrySetResult();
            await gate.Task;
            Interlocked.Increment(ref sent);
        });

        Assert.True(lane.Post(Work(0, MessageType.Normal)));
        await started.Task; // the one worker holds m0; the normal queue is empty again
        Assert.True(lane.Post(Work(1, MessageType.Normal)));
        Assert.True(lane.Post(Work(2, MessageType.Normal)));
        Assert.False(lane.Post(Work(3, MessageType.Normal)), "a full queue declines: the consumer naks the delivery");
        Assert.Equal(DataflowMessageStatus.Declined, lane.OfferMessage(new DataflowMessageHeader(1), Work(4, MessageType.Express), null, consumeToAccept: true));

        lane.Complete();
        Assert.False(lane.Post(Work(5, MessageType.Express)), "a completed lane takes nothing new");
        Assert.False(lane.Completion.IsCompleted, "completion waits for the queued sends");
        gate.SetResult();
        await lane.Completion;
        Assert.Equal(3, Volatile.Read(ref sent));
    }

    [Fact(Timeout = 20_000)]
    public async Task Its_send_rate_is_measured_while_it_sends_and_reads_zero_once_it_stops()
    {
        // Four workers, 1 ms or more per send, 2,000 queued: the lane sends for half a second at least.
        int sent = 0;
        await using var lane = new OperatorLane(Op(4), 4096, async (_, _, _) =>
        {
            await Task.Delay(1);
            Interlocked.Increment(ref sent);
        });
        Assert.Equal(0, lane.SendRate); // nothing taken in the last 200 ms
        for (int i = 0; i < 2000; i++)
        {
            Assert.True(lane.TryEnqueue(Work(i, MessageType.Normal)));
        }

        // A measurement appears once a window has passed (the first take after the quiet start gives none; a window that a
        // pause of the workers stretched past two gives none either, so the test polls).
        double? busy = null;
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((busy = lane.SendRate) is not > 0 && lane.Queued > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }

        Assert.True(busy > 0, $"a sending lane reads {busy}/s (sent {Volatile.Read(ref sent)}, queued {lane.Queued})");

        while (Volatile.Read(ref sent) < 2000)
        {
            await Task.Delay(10);
        }

        await Task.Delay(300); // no take for three windows: the lane is not sending
        Assert.Equal(0, lane.SendRate);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_stuck_lane_reads_zero_after_200_ms_and_a_message_queued_into_it_while_empty_restarts_that_time()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var lane = new OperatorLane(Op(1), 10, async (_, _, _) => await gate.Task);
        try
        {
            Assert.True(lane.TryEnqueue(Work(0, MessageType.Normal))); // taken by the only worker, whose send then hangs
            while (lane.Queued > 0)
            {
                await Task.Delay(5);
            }

            await Task.Delay(300);
            Assert.Equal(0, lane.SendRate); // nothing taken for 200 ms: stalled

            // A message queued into the empty lane is progress (a burst after a quiet spell is not a stall); it stays queued.
            Assert.True(lane.TryEnqueue(Work(1, MessageType.Normal)));
            Assert.NotEqual(0, lane.SendRate);
            await Task.Delay(300);
            Assert.Equal(0, lane.SendRate);
        }
        finally
        {
            gate.TrySetResult(); // lets the lane stop
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private sealed class NoDelivery : IDelivery
    {
        public string Topic => "t";

        public string Key => "k";

        public ReadOnlyMemory<byte> Payload => ReadOnlyMemory<byte>.Empty;

        public IReadOnlyDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

        public int DeliveryCount => 1;

        public ValueTask AckAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
