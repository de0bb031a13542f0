using System.Text;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace SmsGateway.Tests.Nats;

[Collection(NatsCollection.Name)]
public sealed class TransportTests(NatsServer server)
{
    private NatsTransport NewTransport(int maxDeliver = 10)
    {
        var id = Unique.Name("T");
        return new NatsTransport(new NatsTransportOptions { Url = server.Url, StreamPrefix = id + "_", SubjectPrefix = id.ToLowerInvariant(), MaxDeliver = maxDeliver }, null);
    }

    private static OutgoingMessage Msg(string text, string? id = null, int attempt = 1) =>
        new("user-1", Encoding.UTF8.GetBytes(text), id ?? Guid.NewGuid().ToString(), new Dictionary<string, string>
        {
            [TransportHeaders.Attempt] = attempt.ToString(),
            [TransportHeaders.TraceParent] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        });

    private static async Task<IDelivery> NextAsync(IMessageSubscription sub, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await sub.Deliveries.ReadAsync(cts.Token);
    }

    private static async Task AssertNothingAsync(IMessageSubscription sub, TimeSpan wait)
    {
        await Task.Delay(wait);
        Assert.False(sub.Deliveries.TryRead(out var extra), extra is null ? null : $"unexpected delivery {Encoding.UTF8.GetString(extra.Payload.Span)}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Topology_uses_work_queue_for_dispatch_topics_and_limits_for_status()
    {
        await using var t = NewTransport();
        await t.EnsureReadyAsync(CancellationToken.None);
        foreach (var topic in new[] { Topics.Express, Topics.Normal, Topics.DeadLetter })
        {
            var info = (await t.JetStream.GetStreamAsync(t.Options.StreamOf(topic), cancellationToken: CancellationToken.None)).Info;
            Assert.Equal(StreamConfigRetention.Workqueue, info.Config.Retention);
            Assert.Equal(StreamConfigStorage.File, info.Config.Storage);
            Assert.Equal([t.Options.SubjectOf(topic)], info.Config.Subjects);
        }

        var status = (await t.JetStream.GetStreamAsync(t.Options.StreamOf(Topics.Status), cancellationToken: CancellationToken.None)).Info;
        Assert.Equal(StreamConfigRetention.Limits, status.Config.Retention);
        Assert.Equal(TimeSpan.FromDays(7), status.Config.MaxAge);
        Assert.EndsWith(".express", t.Options.SubjectOf(Topics.Express));
        await Assert.ThrowsAsync<TransportException>(async () => await t.PublishAsync("sms-unknown", Msg("x"), CancellationToken.None));
    }

    // The accept stage publishes under the request's deadline and withdraws the reservation when the publish is cut off
    // (docs/architecture.md "Money and locks"). A deadline already past when the publish starts must store nothing, or
    // a refused request could still be sent once the ledger is back. NATS.Net writes the message and only then observes
    // the token: without the check in NatsTransport.PublishAsync this test sees "first" delivered and 2 stored.
    [Fact(Timeout = 30_000)]
    public async Task A_publish_whose_token_is_already_cancelled_stores_nothing()
    {
        await using var t = NewTransport();
        await t.EnsureReadyAsync(CancellationToken.None); // as in a running gateway: streams exist, the connection is open
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await t.PublishAsync(Topics.Express, Msg("first"), cancelled.Token));
        await t.PublishAsync(Topics.Express, Msg("second"), CancellationToken.None);
        await using var sub = await t.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 16 }, CancellationToken.None);

        var d = await NextAsync(sub, TimeSpan.FromSeconds(5));
        Assert.Equal("second", Encoding.UTF8.GetString(d.Payload.Span));
        var info = (await t.JetStream.GetStreamAsync(t.Options.StreamOf(Topics.Express), cancellationToken: CancellationToken.None)).Info;
        Assert.Equal(1, info.State.Messages);
    }

    [Fact(Timeout = 30_000)]
    public async Task Published_message_is_delivered_with_key_headers_count_and_removed_on_ack()
    {
        await using var t = NewTransport();
        await t.PublishAsync(Topics.Express, Msg("hello", "m-1", attempt: 2), CancellationToken.None);
        await t.PublishAsync(Topics.Express, Msg("hello", "m-1", attempt: 2), CancellationToken.None); // duplicate id
        await using var sub = await t.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 16 }, CancellationToken.None);

        var d = await NextAsync(sub, TimeSpan.FromSeconds(5));
        Assert.Equal("hello", Encoding.UTF8.GetString(d.Payload.Span));
        Assert.Equal(Topics.Express, d.Topic);
        Assert.Equal("user-1", d.Key);
        Assert.Equal("2", d.Headers[TransportHeaders.Attempt]);
        Assert.StartsWith("00-0af7651916cd43dd", d.Headers[TransportHeaders.TraceParent]);
        Assert.Equal(1, d.DeliveryCount);
        await d.AckAsync(CancellationToken.None);
        await d.NakAsync(TimeSpan.Zero, CancellationToken.None); // second settle is ignored
        await AssertNothingAsync(sub, TimeSpan.FromMilliseconds(300));

        await t.Connection.PingAsync(CancellationToken.None);
        var info = (await t.JetStream.GetStreamAsync(t.Options.StreamOf(Topics.Express), cancellationToken: CancellationToken.None)).Info;
        Assert.Equal(0, info.State.Messages);
    }

    /// <summary>
    /// Payloads arrive in pooled buffers that go back to the pool when the delivery is settled (IDelivery.Payload: valid
    /// until settled). Many held at once must each keep their own bytes, also while others are settled and their buffers
    /// rented again; a read after the settle fails loudly instead of showing another message's bytes.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task Each_held_payload_keeps_its_bytes_while_others_are_settled_and_is_gone_after_its_own_settle()
    {
        await using var t = NewTransport();
        var texts = Enumerable.Range(0, 40).Select(i => $"message {i} " + new string((char)('a' + i % 26), 100 + 37 * i)).ToArray();
        foreach (var text in texts)
        {
            await t.PublishAsync(Topics.Express, Msg(text), CancellationToken.None);
        }

        await using var sub = await t.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 64 }, CancellationToken.None);
        var held = new List<IDelivery>();
        for (int i = 0; i < texts.Length; i++)
        {
            held.Add(await NextAsync(sub, TimeSpan.FromSeconds(5)));
        }

        for (int i = 0; i < held.Count; i += 2)
        {
            await held[i].AckAsync(CancellationToken.None); // every other one settled: its buffer may be rented again
        }

        await t.PublishAsync(Topics.Express, Msg(new string('z', 2000)), CancellationToken.None);
        var late = await NextAsync(sub, TimeSpan.FromSeconds(5)); // may reuse a returned buffer
        Assert.Equal(new string('z', 2000), Encoding.UTF8.GetString(late.Payload.Span));
        for (int i = 1; i < held.Count; i += 2)
        {
            Assert.Equal(texts[i], Encoding.UTF8.GetString(held[i].Payload.Span));
        }

        Assert.Throws<ObjectDisposedException>(() => held[0].Payload);
        await held[1].NakAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Throws<ObjectDisposedException>(() => held[1].Payload);
        Assert.Equal(texts[1], Encoding.UTF8.GetString((await NextAsync(sub, TimeSpan.FromSeconds(5))).Payload.Span)); // redelivered whole
    }

    [Fact(Timeout = 30_000)]
    public async Task Headers_pass_from_publish_to_delivery_unchanged()
    {
        await using var t = NewTransport();
        var published = new Dictionary<string, string>
        {
            [TransportHeaders.TraceParent] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["tracestate"] = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
            [TransportHeaders.Attempt] = "3",
            ["X-Mixed-Case"] = "Value With Spaces",
            ["x-mixed-case"] = "lower-case name is another header",
            ["sms-note"] = "Grüße ✓", // UTF-8 value
        };
        await t.PublishAsync(Topics.Normal, new OutgoingMessage("user-9", "body"u8.ToArray(), "hdr-1", published), CancellationToken.None);
        await using var sub = await t.SubscribeAsync(Topics.Normal, "dispatch", new SubscriptionOptions { MaxInFlight = 4 }, CancellationToken.None);

        var d = await NextAsync(sub, TimeSpan.FromSeconds(5));
        foreach (var (name, value) in published)
        {
            Assert.True(d.Headers.TryGetValue(name, out var got), $"header {name} lost");
            Assert.Equal(value, got);
        }

        // besides the published ones, only the transport's key and the broker's de-duplication id
        Assert.Equal(["Nats-Msg-Id", NatsTransport.KeyHeader], d.Headers.Keys.Except(published.Keys).Order(StringComparer.Ordinal));
        Assert.Equal("hdr-1", d.Headers["Nats-Msg-Id"]);
        Assert.Equal("user-9", d.Key);
        await d.AckAsync(CancellationToken.None);
    }

    [Fact(Timeout = 30_000)]
    public async Task Consumer_lag_is_the_pending_count_of_the_last_delivery()
    {
        await using var t = NewTransport();
        for (var i = 0; i < 5; i++)
        {
            await t.PublishAsync(Topics.Normal, Msg("lag " + i), CancellationToken.None);
        }

        await using var sub = await t.SubscribeAsync(Topics.Normal, "lag", new SubscriptionOptions { MaxInFlight = 1 }, CancellationToken.None);
        var lag = Assert.IsAssignableFrom<IConsumerLag>(sub);
        var first = await NextAsync(sub, TimeSpan.FromSeconds(10));
        // 4 after the first delivery; 3 if the fetch loop already took the second into the freed room.
        Assert.InRange(lag.Pending!.Value, 3, 4);
        await first.AckAsync(CancellationToken.None);
        for (var i = 1; i < 5; i++)
        {
            await (await NextAsync(sub, TimeSpan.FromSeconds(10))).AckAsync(CancellationToken.None);
        }

        Assert.Equal(0, lag.Pending);
    }

    [Fact(Timeout = 30_000)]
    public async Task Unacked_message_is_redelivered_after_ack_wait()
    {
        await using var t = NewTransport();
        await using var sub = await t.SubscribeAsync(Topics.Normal, "dispatch", new SubscriptionOptions { MaxInFlight = 8, AckWait = TimeSpan.FromSeconds(1) }, CancellationToken.None);
        await t.PublishAsync(Topics.Normal, Msg("late"), CancellationToken.None);

        var first = await NextAsync(sub, TimeSpan.FromSeconds(5));
        Assert.Equal(1, first.DeliveryCount);
        var started = DateTime.UtcNow;
        var second = await NextAsync(sub, TimeSpan.FromSeconds(5)); // no ack: comes back after ~1 s
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(700), "redelivered before the ack wait");
        Assert.Equal("late", Encoding.UTF8.GetString(second.Payload.Span));
        Assert.Equal(2, second.DeliveryCount);
        await second.AckAsync(CancellationToken.None);
        await AssertNothingAsync(sub, TimeSpan.FromMilliseconds(1500));
    }

    [Fact(Timeout = 30_000)]
    public async Task Nak_with_delay_redelivers_after_the_delay()
    {
        await using var t = NewTransport();
        await using var sub = await t.SubscribeAsync(Topics.DeadLetter, "retry", new SubscriptionOptions { MaxInFlight = 8 }, CancellationToken.None);
        await t.PublishAsync(Topics.DeadLetter, Msg("again"), CancellationToken.None);

        var first = await NextAsync(sub, TimeSpan.FromSeconds(5));
        var naked = DateTime.UtcNow;
        await first.NakAsync(TimeSpan.FromMilliseconds(800), CancellationToken.None);
        var second = await NextAsync(sub, TimeSpan.FromSeconds(5));
        var waited = DateTime.UtcNow - naked;
        Assert.True(waited >= TimeSpan.FromMilliseconds(600), $"redelivered after {waited.TotalMilliseconds} ms, before the nak delay");
        Assert.Equal(2, second.DeliveryCount);

        await second.NakAsync(TimeSpan.Zero, CancellationToken.None); // immediate
        var third = await NextAsync(sub, TimeSpan.FromSeconds(2));
        Assert.Equal(3, third.DeliveryCount);
        await third.AckAsync(CancellationToken.None);
    }

    [Fact(Timeout = 30_000)]
    public async Task Message_is_dead_lettered_after_max_deliveries_and_leaves_the_work_queue()
    {
        await using var t = NewTransport(maxDeliver: 3);
        await using var sub = await t.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 8 }, CancellationToken.None);
        await t.PublishAsync(Topics.Express, Msg("poison", "poison-1"), CancellationToken.None);
        await t.PublishAsync(Topics.Express, Msg("fine", "fine-1"), CancellationToken.None);

        var counts = new List<int>();
        var fineAcked = false;
        while (counts.Count < 3 || !fineAcked)
        {
            var d = await NextAsync(sub, TimeSpan.FromSeconds(5));
            if (Encoding.UTF8.GetString(d.Payload.Span) == "fine")
            {
                await d.AckAsync(CancellationToken.None);
                fineAcked = true;
                continue;
            }

            counts.Add(d.DeliveryCount);
            await d.NakAsync(TimeSpan.Zero, CancellationToken.None);
        }

        Assert.Equal([1, 2, 3], counts);
        await AssertNothingAsync(sub, TimeSpan.FromMilliseconds(500)); // the 4th delivery went to the dead stream

        var dead = await t.JetStream.CreateOrUpdateConsumerAsync(t.Options.DeadStream, new ConsumerConfig { DurableName = "inspect" }, CancellationToken.None);
        var parked = new List<INatsJSMsg<byte[]>>();
        await foreach (var m in dead.FetchAsync(new NatsJSFetchOpts { MaxMsgs = 10, Expires = TimeSpan.FromSeconds(1) }, NatsRawSerializer<byte[]>.Default, CancellationToken.None))
        {
            parked.Add(m);
        }

        var p = Assert.Single(parked);
        Assert.Equal("poison", Encoding.UTF8.GetString(p.Data!));
        Assert.Equal(t.Options.DeadSubjectOf(Topics.Express), p.Subject);
        Assert.Equal(Topics.Express, p.Headers!["sms-dead-topic"].ToString());
        Assert.Equal("3", p.Headers["sms-dead-deliveries"].ToString());
        Assert.Equal("user-1", p.Headers["sms-key"].ToString());
        Assert.Equal(Msg("x").Headers![TransportHeaders.TraceParent], p.Headers[TransportHeaders.TraceParent].ToString()); // trace survives dead-lettering
        var express = (await t.JetStream.GetStreamAsync(t.Options.StreamOf(Topics.Express), cancellationToken: CancellationToken.None)).Info;
        Assert.Equal(0, express.State.Messages);
    }

    [Fact(Timeout = 30_000)]
    public async Task Status_event_past_its_last_delivery_is_terminated_for_its_group_only()
    {
        await using var t = NewTransport(maxDeliver: 2);
        await using var reporter = await t.SubscribeAsync(Topics.Status, "reporter", new SubscriptionOptions { MaxInFlight = 8 }, CancellationToken.None);
        await t.PublishAsync(Topics.Status, Msg("event", "ev-1"), CancellationToken.None);

        for (var expected = 1; expected <= 2; expected++)
        {
            var d = await NextAsync(reporter, TimeSpan.FromSeconds(5));
            Assert.Equal(expected, d.DeliveryCount);
            await d.NakAsync(TimeSpan.Zero, CancellationToken.None);
        }

        await AssertNothingAsync(reporter, TimeSpan.FromMilliseconds(800)); // the 3rd delivery was dead-lettered and terminated
        var consumer = (await t.JetStream.GetConsumerAsync(t.Options.StreamOf(Topics.Status), "reporter", CancellationToken.None)).Info;
        Assert.Equal(0, consumer.NumAckPending);
        Assert.Equal(0, consumer.NumRedelivered);

        // limits retention: the event stays for the other groups
        var status = (await t.JetStream.GetStreamAsync(t.Options.StreamOf(Topics.Status), cancellationToken: CancellationToken.None)).Info;
        Assert.Equal(1, status.State.Messages);
        await using var analytics = await t.SubscribeAsync(Topics.Status, "analytics", new SubscriptionOptions { MaxInFlight = 8 }, CancellationToken.None);
        var other = await NextAsync(analytics, TimeSpan.FromSeconds(5));
        Assert.Equal("event", Encoding.UTF8.GetString(other.Payload.Span));
        Assert.Equal(1, other.DeliveryCount);
        await other.AckAsync(CancellationToken.None);

        var dead = (await t.JetStream.GetStreamAsync(t.Options.DeadStream, cancellationToken: CancellationToken.None)).Info;
        Assert.Equal(1, dead.State.Messages);
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_competing_members_share_a_stream_without_duplicates()
    {
        await using var t1 = NewTransport();
        await using var t2 = new NatsTransport(t1.Options, null);
        await using var s1 = await t1.SubscribeAsync(Topics.Normal, "dispatch", new SubscriptionOptions { MaxInFlight = 64 }, CancellationToken.None);
        await using var s2 = await t2.SubscribeAsync(Topics.Normal, "dispatch", new SubscriptionOptions { MaxInFlight = 64 }, CancellationToken.None);

        const int count = 2000;
        var publishes = Enumerable.Range(0, count).Select(i => t1.PublishAsync(Topics.Normal, Msg(i.ToString(), $"c-{i}"), CancellationToken.None).AsTask());
        await Task.WhenAll(publishes);

        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var perMember = new int[2];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        async Task Drain(IMessageSubscription s, int index)
        {
            while (seen.Count < count)
            {
                IDelivery d;
                try
                {
                    d = await s.Deliveries.ReadAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                seen.AddOrUpdate(Encoding.UTF8.GetString(d.Payload.Span), 1, (_, n) => n + 1);
                Interlocked.Increment(ref perMember[index]);
                await d.AckAsync(CancellationToken.None);
                if (seen.Count >= count)
                {
                    await cts.CancelAsync();
                }
            }
        }

        await Task.WhenAll(Drain(s1, 0), Drain(s2, 1));
        Assert.Equal(count, seen.Count);
        Assert.All(seen, kv => Assert.Equal(1, kv.Value));
        Assert.True(perMember[0] > 0 && perMember[1] > 0, $"both members should get work ({perMember[0]}/{perMember[1]})");
    }

    [Fact(Timeout = 30_000)]
    public async Task Deliveries_buffer_holds_at_most_MaxInFlight()
    {
        await using var t = NewTransport();
        for (var i = 0; i < 50; i++)
        {
            await t.PublishAsync(Topics.Normal, Msg(i.ToString()), CancellationToken.None);
        }

        await using var sub = await t.SubscribeAsync(Topics.Normal, "slow", new SubscriptionOptions { MaxInFlight = 5 }, CancellationToken.None);
        await Task.Delay(500);
        Assert.Equal(5, sub.Deliveries.Count);
        var info = (await t.JetStream.GetConsumerAsync(t.Options.StreamOf(Topics.Normal), "slow", CancellationToken.None)).Info;
        Assert.Equal(5, info.NumAckPending); // nothing pulled beyond the free room
        for (var i = 0; i < 50; i++)
        {
            var d = await NextAsync(sub, TimeSpan.FromSeconds(5));
            Assert.Equal(i.ToString(), Encoding.UTF8.GetString(d.Payload.Span));
            await d.AckAsync(CancellationToken.None);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Status_topic_allows_several_groups_each_receiving_every_event()
    {
        await using var t = NewTransport();
        await using var a = await t.SubscribeAsync(Topics.Status, "reporter", SubscriptionOptions.Default, CancellationToken.None);
        await using var b = await t.SubscribeAsync(Topics.Status, "analytics", SubscriptionOptions.Default, CancellationToken.None);
        await t.PublishAsync(Topics.Status, Msg("sent"), CancellationToken.None);
        var da = await NextAsync(a, TimeSpan.FromSeconds(5));
        var db = await NextAsync(b, TimeSpan.FromSeconds(5));
        Assert.Equal("sent", Encoding.UTF8.GetString(da.Payload.Span));
        Assert.Equal("sent", Encoding.UTF8.GetString(db.Payload.Span));
        await da.AckAsync(CancellationToken.None);
        await db.AckAsync(CancellationToken.None);

        // a work-queue topic refuses a second group
        await using var first = await t.SubscribeAsync(Topics.Express, "dispatch", SubscriptionOptions.Default, CancellationToken.None);
        await Assert.ThrowsAsync<TransportException>(async () => await t.SubscribeAsync(Topics.Express, "other", SubscriptionOptions.Default, CancellationToken.None));
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new NatsTransportOptions { Url = "http://x" }.Validate());
        Assert.Throws<ArgumentException>(() => new NatsTransportOptions { StreamPrefix = "a.b" }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new NatsTransportOptions { PublishTimeoutMs = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new NatsTransportOptions().SubjectOf("nope"));
        Assert.Equal("sms.dlq", new NatsTransportOptions().SubjectOf(Topics.DeadLetter));
        Assert.Equal("SMS_STATUS", new NatsTransportOptions().StreamOf(Topics.Status));
    }
}
