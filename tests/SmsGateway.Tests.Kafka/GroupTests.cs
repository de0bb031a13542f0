using System.Text;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka;

namespace SmsGateway.Tests.Kafka;

[Collection(MockClusterCollection.Name)]
public sealed class GroupTests(MockClusterFixture cluster)
{
    private static string Body(IDelivery d) => Encoding.UTF8.GetString(d.Payload.Span);

    private static async Task PublishAsync(KafkaTransport transport, string topic, int count, Func<int, string> key)
    {
        var tasks = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            tasks.Add(transport.PublishAsync(topic, new OutgoingMessage(key(i), Encoding.UTF8.GetBytes($"m{i}")), CancellationToken.None).AsTask());
        }

        await Task.WhenAll(tasks);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restarted_consumer_resumes_from_committed_offsets_and_repeats_only_unacked_messages()
    {
        await using var transport = new KafkaTransport(cluster.Options(TestOptions.Unique("restart")));
        await PublishAsync(transport, Topics.Normal, 100, i => $"user-{i % 7}");
        var all = Enumerable.Range(0, 100).Select(i => $"m{i}").ToHashSet();

        var acked = new HashSet<string>();
        await using (var first = await transport.SubscribeAsync(Topics.Normal, "dispatch", new SubscriptionOptions { MaxInFlight = 32 }, CancellationToken.None))
        {
            foreach (var d in await Consume.TakeAsync(first, 50, TimeSpan.FromSeconds(20)))
            {
                acked.Add(Body(d));
            }

            // Ten more taken but never acknowledged: in flight when the consumer stops.
            Assert.Equal(10, (await Consume.TakeAsync(first, 10, TimeSpan.FromSeconds(10), ack: false)).Count);
        }

        Assert.Equal(50, acked.Count);
        await using var second = await transport.SubscribeAsync(Topics.Normal, "dispatch", new SubscriptionOptions { MaxInFlight = 32 }, CancellationToken.None);
        var rest = (await Consume.TakeAsync(second, 50, TimeSpan.FromSeconds(30))).Select(Body).ToList();

        // Nothing lost, nothing acknowledged is seen again, no duplicates within the second run.
        Assert.Equal(all.Except(acked).Order(), rest.Order());
        Assert.Null(await Consume.NextOrNullAsync(second, TimeSpan.FromMilliseconds(500)));
    }

    [Fact(Timeout = 60_000)]
    public async Task Commits_never_pass_a_message_still_in_flight()
    {
        await using var transport = new KafkaTransport(cluster.Options(TestOptions.Unique("watermark")));
        await PublishAsync(transport, Topics.Status, 20, _ => "one-user"); // one key: one partition, publish order
        await using (var first = await transport.SubscribeAsync(Topics.Status, "reporter", new SubscriptionOptions { MaxInFlight = 64 }, CancellationToken.None))
        {
            var got = await Consume.TakeAsync(first, 20, TimeSpan.FromSeconds(20), ack: false);
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), got.Select(Body));
            foreach (var d in got.Where((_, i) => i != 4))
            {
                await d.AckAsync(CancellationToken.None);
            }

            await Task.Delay(300); // several commit intervals
        }

        await using var second = await transport.SubscribeAsync(Topics.Status, "reporter", new SubscriptionOptions { MaxInFlight = 64 }, CancellationToken.None);
        var again = await Consume.TakeAsync(second, 16, TimeSpan.FromSeconds(30));

        // The committed offset stopped at m4 (still in flight), so m4..m19 come again and m0..m3 do not.
        Assert.Equal(Enumerable.Range(4, 16).Select(i => $"m{i}"), again.Select(Body));
        Assert.Null(await Consume.NextOrNullAsync(second, TimeSpan.FromMilliseconds(500)));
    }

    [Fact(Timeout = 90_000)]
    public async Task Two_consumers_in_one_group_share_the_partitions()
    {
        await using var transport = new KafkaTransport(cluster.Options(TestOptions.Unique("share")));
        var options = new SubscriptionOptions { MaxInFlight = 64 };
        await using var a = await transport.SubscribeAsync(Topics.Normal, "dispatch", options, CancellationToken.None);
        await using var b = await transport.SubscribeAsync(Topics.Normal, "dispatch", options, CancellationToken.None);
        var seenA = new List<string>();
        var seenB = new List<string>();
        var all = new HashSet<string>();
        int expected = 400;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(70));
        var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Drain(IMessageSubscription s, List<string> seen)
        {
            try
            {
                await foreach (var d in s.Deliveries.ReadAllAsync(cts.Token))
                {
                    await d.AckAsync(CancellationToken.None);
                    lock (all)
                    {
                        seen.Add(Body(d));
                        all.Add(Body(d));
                        if (all.Count == expected)
                        {
                            settled.TrySetResult();
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // end of the test
            }
        }

        var drains = Task.WhenAll(Drain(a, seenA), Drain(b, seenB));

        // Warm-up: the group forms while the first messages flow; a join-time rebalance may repeat un-acked ones (at least once).
        await PublishAsync(transport, Topics.Normal, 400, i => $"user-{i}");
        await settled.Task.WaitAsync(TimeSpan.FromSeconds(40));

        // Steady state: both members live, the group stable: each message goes to exactly one member.
        int countA, countB;
        lock (all)
        {
            (countA, countB) = (seenA.Count, seenB.Count);
            settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            expected = 800;
        }

        var tasks = Enumerable.Range(0, 400).Select(i => transport.PublishAsync(Topics.Normal,
            new OutgoingMessage($"user-{i}", Encoding.UTF8.GetBytes($"steady{i}")), CancellationToken.None).AsTask());
        await Task.WhenAll(tasks);
        await settled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(500); // let a stray duplicate show up
        await cts.CancelAsync();
        await drains;

        var steadyA = seenA.Skip(countA).ToList();
        var steadyB = seenB.Skip(countB).ToList();
        Assert.Equal(800, all.Count);
        Assert.NotEmpty(steadyA);
        Assert.NotEmpty(steadyB);
        Assert.Equal(400, steadyA.Count + steadyB.Count);
        Assert.Empty(steadyA.Intersect(steadyB));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_full_subscription_pauses_fetching_and_resumes_without_losing_messages()
    {
        await using var transport = new KafkaTransport(cluster.Options(TestOptions.Unique("pause")));
        await PublishAsync(transport, Topics.Normal, 100, i => $"user-{i % 5}");
        await using var subscription = await transport.SubscribeAsync(Topics.Normal, "dispatch", new SubscriptionOptions { MaxInFlight = 5 }, CancellationToken.None);

        var held = await Consume.TakeAsync(subscription, 5, TimeSpan.FromSeconds(20), ack: false);
        Assert.Equal(5, held.Count);

        // Five unacknowledged: nothing more is handed out, first by not polling, then (after 500 ms) with the
        // partitions paused.
        Assert.Null(await Consume.NextOrNullAsync(subscription, TimeSpan.FromMilliseconds(1200)));

        foreach (var d in held)
        {
            await d.AckAsync(CancellationToken.None);
        }

        var rest = await Consume.TakeAsync(subscription, 95, TimeSpan.FromSeconds(30));
        var bodies = held.Concat(rest).Select(Body).ToList();
        Assert.Equal(100, bodies.Distinct().Count());
        Assert.Equal(100, bodies.Count);
        Assert.Null(await Consume.NextOrNullAsync(subscription, TimeSpan.FromMilliseconds(300)));
    }
}
