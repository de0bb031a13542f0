using System.Diagnostics;
using System.Text;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka;

namespace SmsGateway.Tests.Kafka;

[Collection(MockClusterCollection.Name)]
public sealed class RoundTripTests(MockClusterFixture cluster)
{
    private static readonly SubscriptionOptions Subscription = new() { MaxInFlight = 64 };

    [Fact(Timeout = 30_000)]
    public async Task Publish_then_consume_keeps_key_payload_and_headers()
    {
        await using var transport = new KafkaTransport(cluster.Options(TestOptions.Unique("rt")));
        var headers = new Dictionary<string, string>
        {
            [TransportHeaders.Attempt] = "2",
            [TransportHeaders.TraceParent] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        };
        for (var i = 0; i < 3; i++)
        {
            await transport.PublishAsync(Topics.Express, new OutgoingMessage("user-42", Encoding.UTF8.GetBytes($"body-{i}"), $"msg-{i}", headers), CancellationToken.None);
        }

        await using var subscription = await transport.SubscribeAsync(Topics.Express, "dispatch", Subscription, CancellationToken.None);
        var got = await Consume.TakeAsync(subscription, 3, TimeSpan.FromSeconds(20));

        Assert.Equal(3, got.Count);
        for (var i = 0; i < 3; i++)
        {
            // One key -> one partition -> publish order.
            var d = got[i];
            Assert.Equal(Topics.Express, d.Topic);
            Assert.Equal("user-42", d.Key);
            Assert.Equal($"body-{i}", Encoding.UTF8.GetString(d.Payload.Span));
            Assert.Equal("2", d.Headers[TransportHeaders.Attempt]);
            Assert.Equal(headers[TransportHeaders.TraceParent], d.Headers[TransportHeaders.TraceParent]);
            Assert.Equal($"msg-{i}", d.Headers[KafkaHeaders.MessageId]);
            Assert.Equal(1, d.DeliveryCount);
        }
    }

    // A deadline already past when the publish starts must store nothing (the accept stage then withdraws the reservation
    // and answers "nothing was charged", docs/architecture.md "Money and locks"). Confluent.Kafka produces the record and
    // only cancels the wait for its delivery report: without the check in KafkaTransport.PublishAsync, "first" is
    // delivered here (one key, one partition: publish order).
    [Fact(Timeout = 30_000)]
    public async Task A_publish_whose_token_is_already_cancelled_stores_nothing()
    {
        await using var transport = new KafkaTransport(cluster.Options(TestOptions.Unique("cancelled")));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await transport.PublishAsync(Topics.Express, new OutgoingMessage("user-7", "first"u8.ToArray(), "m-first"), cancelled.Token));
        await transport.PublishAsync(Topics.Express, new OutgoingMessage("user-7", "second"u8.ToArray(), "m-second"), CancellationToken.None);
        await using var subscription = await transport.SubscribeAsync(Topics.Express, "dispatch", Subscription, CancellationToken.None);

        var got = Assert.Single(await Consume.TakeAsync(subscription, 1, TimeSpan.FromSeconds(20)));
        Assert.Equal("second", Encoding.UTF8.GetString(got.Payload.Span));
        Assert.Null(await Consume.NextOrNullAsync(subscription, TimeSpan.FromMilliseconds(500)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Nak_with_delay_delivers_again_after_the_delay_with_a_higher_count()
    {
        await using var transport = new KafkaTransport(cluster.Options(TestOptions.Unique("nak")));
        await transport.PublishAsync(Topics.DeadLetter, new OutgoingMessage("u1", "retry-me"u8.ToArray()), CancellationToken.None);
        await using var subscription = await transport.SubscribeAsync(Topics.DeadLetter, "dlq", Subscription, CancellationToken.None);

        var first = Assert.Single(await Consume.TakeAsync(subscription, 1, TimeSpan.FromSeconds(20), ack: false));
        Assert.Equal(1, first.DeliveryCount);
        var naked = Stopwatch.StartNew();
        await first.NakAsync(TimeSpan.FromMilliseconds(400), CancellationToken.None);

        var second = Assert.Single(await Consume.TakeAsync(subscription, 1, TimeSpan.FromSeconds(5), ack: false));
        Assert.InRange(naked.ElapsedMilliseconds, 390, 3000);
        Assert.Equal(2, second.DeliveryCount);
        Assert.Equal("retry-me", Encoding.UTF8.GetString(second.Payload.Span));
        await second.AckAsync(CancellationToken.None);

        // Settling the old delivery again changes nothing; nothing else arrives.
        await first.NakAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Null(await Consume.NextOrNullAsync(subscription, TimeSpan.FromMilliseconds(600)));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_delivery_left_unacknowledged_past_AckWait_is_delivered_again()
    {
        await using var transport = new KafkaTransport(cluster.Options(TestOptions.Unique("ackwait")));
        await transport.PublishAsync(Topics.Normal, new OutgoingMessage("u1", "slow"u8.ToArray()), CancellationToken.None);
        var options = new SubscriptionOptions { MaxInFlight = 8, AckWait = TimeSpan.FromMilliseconds(1000) };
        await using var subscription = await transport.SubscribeAsync(Topics.Normal, "dispatch", options, CancellationToken.None);

        var first = Assert.Single(await Consume.TakeAsync(subscription, 1, TimeSpan.FromSeconds(20), ack: false));
        var again = Assert.Single(await Consume.TakeAsync(subscription, 1, TimeSpan.FromSeconds(8), ack: false));

        // 2 normally; a loaded machine may read it only after a further ack wait expired (3), which is still "again".
        Assert.True(again.DeliveryCount >= 2, $"delivery count {again.DeliveryCount}");
        Assert.Equal("slow", Encoding.UTF8.GetString(again.Payload.Span));

        // The late ack of the first delivery completes the message: no third delivery.
        await first.AckAsync(CancellationToken.None);
        Assert.Null(await Consume.NextOrNullAsync(subscription, TimeSpan.FromMilliseconds(1500)));
    }
}
