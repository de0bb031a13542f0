using System.Collections.Concurrent;
using System.Diagnostics;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Transport;

namespace SmsGateway.Tests.Unit;

/// <summary>Rate limits of one lane. Bounds are loose on purpose (a loaded 2-core machine is slower, never faster).</summary>
public sealed class OperatorLaneRateTests
{
    private static OperatorInfo Op(int concurrency, int rate) => new("MCI", "MCI", ["0912"], 1150, concurrency, rate, TimeSpan.FromSeconds(5));

    private static DispatchWork Work(string text, MessageType type) => new(
        new SmsMessage(MessageIds.New(), "u", "+989121234567", text, type, "MCI", SmsEncoding.Gsm7, 1, 1150, DateTimeOffset.UtcNow),
        new NoDelivery());

    [Theory(Timeout = 30_000)]
    [InlineData(5)]
    [InlineData(3)]
    public async Task A_rate_under_ten_per_second_is_honoured(int rate)
    {
        long sent = 0;
        await using var lane = new OperatorLane(Op(8, rate), 1000, (_, _, _) =>
        {
            Interlocked.Increment(ref sent);
            return ValueTask.CompletedTask;
        });
        for (int i = 0; i < (rate * 5) + 5; i++)
        {
            Assert.True(lane.TryEnqueue(Work("m" + i, MessageType.Normal)));
        }

        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(4));
        long count = Interlocked.Read(ref sent);
        double elapsed = clock.Elapsed.TotalSeconds;

        // rate × elapsed plus a burst of at most one bucket (1 token below 10/s) and one token of slack.
        Assert.True(count <= (rate * elapsed) + 2, $"{count} sends in {elapsed:F1} s at {rate}/s");
        Assert.True(count >= rate * 2, $"only {count} sends in {elapsed:F1} s at {rate}/s");
    }

    [Fact(Timeout = 30_000)]
    public async Task Under_a_rate_limit_express_is_sent_next_not_after_what_the_workers_hold()
    {
        var order = new ConcurrentQueue<string>();
        await using var lane = new OperatorLane(Op(8, 10), 1000, (work, _, _) =>
        {
            order.Enqueue(work.Message.Text);
            return ValueTask.CompletedTask;
        });
        for (int i = 0; i < 40; i++)
        {
            Assert.True(lane.TryEnqueue(Work("n" + i, MessageType.Normal)));
        }

        while (order.Count < 3)
        {
            await Task.Delay(10);
        }

        int before = order.Count;
        Assert.True(lane.TryEnqueue(Work("express", MessageType.Express)));
        while (!order.Contains("express"))
        {
            await Task.Delay(10);
        }

        int position = Array.IndexOf(order.ToArray(), "express");

        // At most one normal message may be between its rate token and its send when the express one arrives.
        Assert.True(position <= before + 1, $"express sent at position {position}; {before} had been sent when it was queued");
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
