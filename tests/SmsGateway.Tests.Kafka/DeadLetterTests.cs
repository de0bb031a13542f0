using System.Text;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka;

namespace SmsGateway.Tests.Kafka;

/// <summary>Issue 12 on librdkafka's mock cluster: dead-lettering to the dead-letter topic, listing and replay.</summary>
[Collection(MockClusterCollection.Name)]
public sealed class DeadLetterTests(MockClusterFixture cluster)
{
    [Fact(Timeout = 60_000)]
    public async Task Dead_lettered_message_is_listed_with_its_reason_replayed_once_and_hidden_after_replay()
    {
        var prefix = TestOptions.Unique("dl");
        await using var transport = new KafkaTransport(cluster.Options(prefix) with { DeadLetterTopic = prefix + "-dead" });
        await transport.PublishAsync(Topics.Normal, new OutgoingMessage("user-7", Encoding.UTF8.GetBytes("{garbage"), "g-1",
            new Dictionary<string, string> { [TransportHeaders.Attempt] = "1" }), CancellationToken.None);
        await using var subscription = await transport.SubscribeAsync(Topics.Normal, "dispatch", new SubscriptionOptions { MaxInFlight = 16 }, CancellationToken.None);
        var d = Assert.Single(await Consume.TakeAsync(subscription, 1, TimeSpan.FromSeconds(20), ack: false));
        await d.DeadLetterAsync("undecodable: test", CancellationToken.None);

        Assert.Empty(await transport.ListAsync(Topics.Express, 10, CancellationToken.None));
        var letter = Assert.Single(await transport.ListAsync(Topics.Normal, 10, CancellationToken.None));
        Assert.Equal((Topics.Normal, "undecodable: test", 8, "user-7"), (letter.Topic, letter.Reason, letter.Size, letter.Key));

        var replay = await transport.ReplayAsync(Topics.Normal, null, CancellationToken.None);
        Assert.Equal([letter.Id], replay.Replayed);

        var again = Assert.Single(await Consume.TakeAsync(subscription, 1, TimeSpan.FromSeconds(20)));
        Assert.Equal("{garbage", Encoding.UTF8.GetString(again.Payload.Span));
        Assert.Equal(("user-7", "1"), (again.Key, again.Headers[TransportHeaders.Attempt]));
        Assert.DoesNotContain(again.Headers.Keys, k => k.StartsWith("sms-dead-", StringComparison.Ordinal));
        Assert.Empty(await transport.ListAsync(null, 10, CancellationToken.None)); // hidden by its replay marker
        Assert.Empty((await transport.ReplayAsync(Topics.Normal, null, CancellationToken.None)).Replayed); // replayed once only
    }
}
