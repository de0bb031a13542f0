using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Status;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit;

public sealed class InMemoryTransportTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static OutgoingMessage Msg(int i, string? id = null) => new("k", BitConverter.GetBytes(i), id);

    [Fact(Timeout = 20_000)]
    public async Task Competing_consumers_share_a_group_without_duplicates()
    {
        await using var transport = new InMemoryTransport();
        await using var a = await transport.SubscribeAsync("t", "g", new SubscriptionOptions { MaxInFlight = 8 }, None);
        await using var b = await transport.SubscribeAsync("t", "g", new SubscriptionOptions { MaxInFlight = 8 }, None);
        for (int i = 0; i < 1000; i++)
        {
            await transport.PublishAsync("t", Msg(i), None);
        }

        var seen = new ConcurrentDictionary<int, string>();
        async Task Drain(IMessageSubscription s, string name)
        {
            try
            {
                while (seen.Count < 1000 && await s.Deliveries.WaitToReadAsync(None).AsTask().WaitAsync(TimeSpan.FromSeconds(5)))
                {
                    while (s.Deliveries.TryRead(out var d))
                    {
                        Assert.True(seen.TryAdd(BitConverter.ToInt32(d.Payload.Span), name), "delivered twice");
                        await d.AckAsync(None);
                        await Task.Delay(1); // let the other member take its share even on a loaded machine
                    }
                }
            }
            catch (TimeoutException)
            {
                // This member found nothing more to take for 5 s: the other one holds the rest.
            }
        }

        // Only a timeout is tolerated here; a "delivered twice" assertion inside Drain fails the test.
        try
        {
            await Task.WhenAll(Drain(a, "a"), Drain(b, "b")).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }
        Assert.Equal(1000, seen.Count);
        Assert.Contains(seen.Values, v => v == "a");
        Assert.Contains(seen.Values, v => v == "b");
        Assert.Equal(0, transport.Pending("t", "g"));
    }

    [Fact(Timeout = 20_000)]
    public async Task Acked_messages_are_not_kept_reachable_by_the_group_queue()
    {
        // A consumer that waits with WaitToReadAsync and finds its group's queue ready used to peek at it, and a peek kept
        // every message later taken from that queue segment reachable until the segment was dropped: an embedded host's
        // gen-0 collections promoted 0.83 MB each instead of 0.21 (bench/README.md "Taken messages no longer kept by a peek").
        await using var transport = new InMemoryTransport();
        await using var sub = await transport.SubscribeAsync("t", "g", SubscriptionOptions.Default, None);
        for (int i = 0; i < 5000; i++)
        {
            await transport.PublishAsync("t", Msg(i), None); // a backlog: the queue's segments grow past the tracked messages' count
        }

        await TakeAndAckAllAsync(transport, sub);
        var payloads = new List<WeakReference>();
        for (int i = 0; i < 1000; i++)
        {
            payloads.Add(await PublishTrackedAsync(transport, i));
            if (i % 4 == 3)
            {
                await TakeAndAckAllAsync(transport, sub);
            }
        }

        await TakeAndAckAllAsync(transport, sub);
        Assert.Equal(0, transport.Pending("t", "g"));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        int reachable = payloads.Count(p => p.IsAlive);
        Assert.True(reachable <= 8, $"{reachable} of 1000 acked messages are still reachable");
        GC.KeepAlive(sub);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> PublishTrackedAsync(InMemoryTransport transport, int i)
    {
        var payload = BitConverter.GetBytes(i);
        await transport.PublishAsync("t", new OutgoingMessage("k", payload), None);
        return new WeakReference(payload);
    }

    // Takes what the group's queue holds the way a consumer loop does (WaitToReadAsync, then TryRead), acking each.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task TakeAndAckAllAsync(InMemoryTransport transport, IMessageSubscription sub)
    {
        while (transport.Pending("t", "g") > 0 && await sub.Deliveries.WaitToReadAsync(None))
        {
            while (sub.Deliveries.TryRead(out var d))
            {
                await d.AckAsync(None);
            }
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task Nak_with_delay_redelivers_later_with_a_higher_count()
    {
        await using var transport = new InMemoryTransport();
        await using var sub = await transport.SubscribeAsync("t", "g", SubscriptionOptions.Default, None);
        await transport.PublishAsync("t", Msg(7), None);
        var first = await sub.Deliveries.ReadAsync(None);
        Assert.Equal(1, first.DeliveryCount);
        var started = DateTime.UtcNow;
        await first.NakAsync(TimeSpan.FromMilliseconds(200), None);
        var second = await sub.Deliveries.ReadAsync(None);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(150));
        Assert.Equal(2, second.DeliveryCount);
        Assert.Equal(7, BitConverter.ToInt32(second.Payload.Span));
        await second.AckAsync(None);
        Assert.Equal(0, transport.Pending("t", "g"));
    }

    [Fact(Timeout = 20_000)]
    public async Task The_publishers_decoded_form_reaches_every_delivery_of_the_message_and_other_messages_have_none()
    {
        await using var transport = new InMemoryTransport();
        await using var sub = await transport.SubscribeAsync("t", "g", SubscriptionOptions.Default, None);
        var decoded = new object();
        await transport.PublishAsync("t", Msg(1) with { Decoded = decoded }, None);
        await transport.PublishAsync("t", Msg(2), None);

        var first = Assert.IsType<InMemoryDelivery>(await sub.Deliveries.ReadAsync(None));
        var plain = Assert.IsType<InMemoryDelivery>(await sub.Deliveries.ReadAsync(None));
        Assert.Same(decoded, first.Decoded);
        Assert.Null(plain.Decoded);
        await plain.AckAsync(None);
        await first.NakAsync(TimeSpan.Zero, None);
        var again = Assert.IsType<InMemoryDelivery>(await sub.Deliveries.ReadAsync(None));
        Assert.Equal(2, again.DeliveryCount);
        Assert.Same(decoded, again.Decoded);
        await again.AckAsync(None);
    }

    /// <summary>
    /// A status frame handed over in this process carries no bytes (StatusFrame with withDecoded): a dead letter must still
    /// record their length, and its replay must carry bytes that read back to the frame's events, with no decoded form.
    /// </summary>
    [Fact(Timeout = 20_000)]
    public async Task A_message_whose_bytes_are_left_to_be_written_is_dead_lettered_and_replayed_with_them()
    {
        await using var transport = new InMemoryTransport();
        await using var sub = await transport.SubscribeAsync("t", "g", SubscriptionOptions.Default, None);
        var events = new[] { SmsGateway.Tests.Unit.Status.StatusBatchJsonTests.Event(MessageStatus.Sent), SmsGateway.Tests.Unit.Status.StatusBatchJsonTests.Event(MessageStatus.Delivered) };
        var frame = new StatusFrame(withDecoded: true);
        foreach (var e in events)
        {
            frame.Add(e, default, null, 0);
        }

        var message = frame.ToMessage();
        Assert.True(message.Payload.IsEmpty);
        await transport.PublishAsync("t", message, None);
        var delivery = Assert.IsType<InMemoryDelivery>(await sub.Deliveries.ReadAsync(None));
        Assert.Same(message.Decoded, delivery.Decoded);
        var bytes = delivery.Payload; // written on first read
        Assert.Equal(events, PipelineJson.ReadStatusPayload(bytes.Span).Events);
        Assert.True(bytes.Equals(delivery.Payload)); // and kept: the same array on every read
        await delivery.DeadLetterAsync("poison", None);

        var letter = Assert.Single(await transport.ListAsync("t", 10, None));
        Assert.Equal(bytes.Length, letter.Size);
        await transport.ReplayAsync("t", null, None);
        var replayed = Assert.IsType<InMemoryDelivery>(await sub.Deliveries.ReadAsync(None));
        Assert.Null(replayed.Decoded);
        Assert.Equal(events, PipelineJson.ReadStatusPayload(replayed.Payload.Span).Events);
        await replayed.AckAsync(None);
    }

    [Fact(Timeout = 20_000)]
    public async Task Unacked_deliveries_come_back_after_the_ack_wait_and_after_a_member_leaves()
    {
        await using var transport = new InMemoryTransport();
        var leaving = await transport.SubscribeAsync("t", "g", new SubscriptionOptions { AckWait = TimeSpan.FromMilliseconds(200) }, None);
        await transport.PublishAsync("t", Msg(1), None);
        var d1 = await leaving.Deliveries.ReadAsync(None);
        var d1Again = await leaving.Deliveries.ReadAsync(None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, d1Again.DeliveryCount);
        await d1.AckAsync(None); // too late: the expired delivery's ack is ignored
        Assert.Equal(1, transport.Pending("t", "g"));

        await leaving.DisposeAsync();
        await using var staying = await transport.SubscribeAsync("t", "g", SubscriptionOptions.Default, None);
        var d1Third = await staying.Deliveries.ReadAsync(None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(3, d1Third.DeliveryCount);
        await d1Third.AckAsync(None);
        Assert.Equal(0, transport.Pending("t", "g"));
    }

    [Theory(Timeout = 20_000)]
    [InlineData("loop token")] // the consumer loop's token, which shares one linked source across waits
    [InlineData("another token")] // a token after the first: linked for that wait only
    [InlineData("no token")]
    public async Task A_waiting_consumer_is_woken_by_its_disposal_and_stopped_by_its_own_token(string kind)
    {
        await using var transport = new InMemoryTransport();
        using var loop = new CancellationTokenSource();
        using var other = new CancellationTokenSource();
        var member = await transport.SubscribeAsync("t", "g", SubscriptionOptions.Default, None);
        await using var otherMember = await transport.SubscribeAsync("t", "g", SubscriptionOptions.Default, None);

        // A first wait that a message ends, then the wait under test on an empty queue.
        var first = member.Deliveries.WaitToReadAsync(loop.Token).AsTask();
        await transport.PublishAsync("t", Msg(1), None);
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(member.Deliveries.TryRead(out var taken));
        await taken.AckAsync(None);
        var token = kind switch { "loop token" => loop.Token, "another token" => other.Token, _ => None };
        var waiting = member.Deliveries.WaitToReadAsync(token).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        await member.DisposeAsync();
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));

        // The other member of the group still waits on the same queue, and its own token ends its wait with a cancellation.
        var stillWaiting = otherMember.Deliveries.WaitToReadAsync(loop.Token).AsTask();
        await Task.Delay(50);
        Assert.False(stillWaiting.IsCompleted);
        await loop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stillWaiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact(Timeout = 20_000)]
    public async Task Duplicate_message_ids_are_stored_once_and_messages_before_a_group_are_kept()
    {
        await using var transport = new InMemoryTransport();
        await transport.PublishAsync("t", Msg(1, "id-1"), None);
        await transport.PublishAsync("t", Msg(1, "id-1"), None);
        await transport.PublishAsync("t", Msg(2, "id-2"), None);
        await using var sub = await transport.SubscribeAsync("t", "g", SubscriptionOptions.Default, None);
        Assert.Equal(2, transport.Pending("t", "g"));
    }

    [Fact(Timeout = 20_000)]
    public async Task The_duplicate_filter_tells_ids_apart_forgets_a_failed_publish_and_drops_ids_after_two_turn_overs()
    {
        var filter = new DuplicateFilter(TimeSpan.FromMilliseconds(500)); // long enough that the passes below fit in one window
        var ids = Enumerable.Range(0, 10_000).Select(i => $"{Guid.NewGuid():N}.{i % 7}.1").Append("a").Append("b").ToArray();
        Assert.All(ids, id => Assert.True(filter.FirstSighting(id))); // kept as 128-bit hashes: no two of these taken for one
        Assert.All(ids, id => Assert.False(filter.FirstSighting(id)));
        Assert.True(filter.FirstSighting("a.1.2")); // the same message's next attempt is another id

        filter.Forget("a");
        Assert.True(filter.FirstSighting("a"));
        Assert.False(filter.FirstSighting("a"));

        await Task.Delay(750); // a window later the ids are still known (the shard's generations turn over once)...
        Assert.False(filter.FirstSighting("b"));
        await Task.Delay(750); // ...and after the next turn-over they are forgotten
        Assert.True(filter.FirstSighting("b"));
    }

    [Fact]
    public async Task A_full_topic_refuses_the_publish()
    {
        await using var transport = new InMemoryTransport(new InMemoryTransportOptions { MaxMessagesPerTopic = 2 });
        await using var sub = await transport.SubscribeAsync("t", "g", new SubscriptionOptions { MaxInFlight = 1 }, None);
        await transport.PublishAsync("t", Msg(1), None);
        await transport.PublishAsync("t", Msg(2), None);
        await Assert.ThrowsAsync<TransportException>(async () => await transport.PublishAsync("t", Msg(3), None));
    }
}
