using System.Text;
using SmsGateway.Transports.Nats.Client;
using SmsGateway.Transports.Nats.Client.JetStream;
using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Tests.Nats;

[Collection(NatsCollection.Name)]
public sealed class JetStreamTests(NatsServer server)
{
    private async Task<(NatsConnection, NatsJSContext)> ConnectAsync()
    {
        var c = new NatsConnection(new NatsOpts { Url = server.Url });
        await c.ConnectAsync(CancellationToken.None);
        return (c, new NatsJSContext(c));
    }

    private static StreamConfig WorkQueue(string name) => new()
    {
        Name = name,
        Subjects = [$"{name.ToLowerInvariant()}.>"],
        Retention = StreamConfigRetention.Workqueue,
        Storage = StreamConfigStorage.File,
    };

    [Fact(Timeout = 20_000)]
    public async Task Stream_and_consumer_create_verify_and_delete()
    {
        var (c, js) = await ConnectAsync();
        await using var _ = c;
        var name = Unique.Name("ST");
        var info = await js.CreateStreamAsync(WorkQueue(name), CancellationToken.None);
        Assert.Equal(StreamConfigRetention.Workqueue, info.Config.Retention);
        Assert.Equal(TimeSpan.FromMinutes(2), info.Config.DuplicateWindow);

        // identical create is idempotent; a different one is refused with 10058
        await js.CreateStreamAsync(WorkQueue(name), CancellationToken.None);
        var ex = await Assert.ThrowsAsync<NatsJSApiException>(async () =>
            await js.CreateStreamAsync(WorkQueue(name) with { MaxMsgs = 10 }, CancellationToken.None));
        Assert.Equal(10058, ex.Error.ErrCode);
        var updated = await js.UpdateStreamAsync(WorkQueue(name) with { MaxMsgs = 10 }, CancellationToken.None);
        Assert.Equal(10, updated.Config.MaxMsgs);

        var consumer = await js.CreateOrUpdateConsumerAsync(name, new ConsumerConfig { DurableName = "workers", AckWait = TimeSpan.FromSeconds(7), MaxDeliver = 4 }, CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(7), consumer.Info.Config.AckWait);
        Assert.Equal(4, consumer.Info.Config.MaxDeliver);

        // the server upserts silently: the returned config is the new one, and it is verified
        var again = await js.CreateOrUpdateConsumerAsync(name, new ConsumerConfig { DurableName = "workers", AckWait = TimeSpan.FromSeconds(9), MaxDeliver = 4 }, CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(9), again.Info.Config.AckWait);
        var read = await js.GetConsumerInfoAsync(name, "workers", CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(9), read.Config.AckWait);

        Assert.True(await js.DeleteConsumerAsync(name, "workers", CancellationToken.None));
        Assert.False(await js.DeleteConsumerAsync(name, "workers", CancellationToken.None));
        Assert.True(await js.DeleteStreamAsync(name, CancellationToken.None));
        var gone = await Assert.ThrowsAsync<NatsJSApiException>(async () => await js.GetStreamAsync(name, CancellationToken.None));
        Assert.Equal(404, gone.Error.Code);
    }

    [Fact(Timeout = 20_000)]
    public async Task Publish_is_acked_and_duplicate_ids_are_stored_once()
    {
        var (c, js) = await ConnectAsync();
        await using var _ = c;
        var name = Unique.Name("PB");
        await js.CreateStreamAsync(WorkQueue(name), CancellationToken.None);
        var subject = $"{name.ToLowerInvariant()}.a";

        var a1 = await js.PublishAsync(subject, "x"u8.ToArray(), null, "id-1", null, CancellationToken.None);
        var a2 = await js.PublishAsync(subject, "x"u8.ToArray(), null, "id-1", null, CancellationToken.None);
        var a3 = await js.PublishAsync(subject, "y"u8.ToArray(), null, "id-2", null, CancellationToken.None);
        a1.EnsureSuccess();
        Assert.Equal(name, a1.Stream);
        Assert.False(a1.Duplicate);
        Assert.True(a2.Duplicate);
        Assert.Equal(a1.Seq, a2.Seq);
        Assert.Equal(a1.Seq + 1, a3.Seq);
        var info = await js.GetStreamAsync(name, CancellationToken.None);
        Assert.Equal(2, info.State.Messages);

        await Assert.ThrowsAsync<NatsNoRespondersException>(async () =>
            await js.PublishAsync("nostream." + name, "x"u8.ToArray(), null, null, null, CancellationToken.None));
    }

    [Fact(Timeout = 20_000)]
    public async Task Fetch_ack_removes_from_work_queue_and_metadata_counts_deliveries()
    {
        var (c, js) = await ConnectAsync();
        await using var _ = c;
        var name = Unique.Name("FE");
        await js.CreateStreamAsync(WorkQueue(name), CancellationToken.None);
        var subject = $"{name.ToLowerInvariant()}.a";
        for (var i = 0; i < 5; i++)
        {
            (await js.PublishAsync(subject, Encoding.UTF8.GetBytes($"m{i}"), new NatsHeaders { ["h"] = i.ToString() }, null, null, CancellationToken.None)).EnsureSuccess();
        }

        var consumer = await js.CreateOrUpdateConsumerAsync(name, new ConsumerConfig { DurableName = "d", AckWait = TimeSpan.FromSeconds(30) }, CancellationToken.None);
        var got = new List<NatsJSMsg>();
        await foreach (var m in consumer.FetchAsync(10, TimeSpan.FromSeconds(1), CancellationToken.None))
        {
            got.Add(m);
        }

        Assert.Equal(5, got.Count);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], got.Select(m => Encoding.UTF8.GetString(m.Data.Span)));
        Assert.All(got, m => Assert.Equal(subject, m.Subject)); // pulled messages keep their original subject
        Assert.All(got, m => Assert.Equal(1, m.Metadata!.Value.NumDelivered));
        Assert.Equal(name, got[0].Metadata!.Value.Stream);
        Assert.Equal("d", got[0].Metadata!.Value.Consumer);
        Assert.Equal("3", got[3].Headers!["h"]);

        foreach (var m in got.Take(3))
        {
            await m.AckAsync(CancellationToken.None);
        }

        await got[3].NakAsync(TimeSpan.Zero, CancellationToken.None);
        await got[4].AckTerminateAsync(CancellationToken.None);
        await c.PingAsync(CancellationToken.None);

        var again = new List<NatsJSMsg>();
        await foreach (var m in consumer.FetchAsync(10, TimeSpan.FromSeconds(1), CancellationToken.None))
        {
            again.Add(m);
        }

        var redelivered = Assert.Single(again);
        Assert.Equal("m3", Encoding.UTF8.GetString(redelivered.Data.Span));
        Assert.Equal(2, redelivered.Metadata!.Value.NumDelivered);
        await redelivered.AckAsync(CancellationToken.None);
        await c.PingAsync(CancellationToken.None);
        var info = await js.GetStreamAsync(name, CancellationToken.None);
        Assert.True(info.State.Messages <= 1, $"acked messages are removed from the work queue ({info.State.Messages} left)");
    }

    [Fact]
    public void Ack_subject_metadata_parses_both_forms()
    {
        var v1 = NatsJSMsgMetadata.Parse("$JS.ACK.ORDERS.workers.3.100.250.1700000000000000000.7")!.Value;
        Assert.Equal(("ORDERS", "workers", 3L, 100UL, 250UL, 7UL, (string?)null), (v1.Stream, v1.Consumer, v1.NumDelivered, v1.StreamSequence, v1.ConsumerSequence, v1.NumPending, v1.Domain));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), v1.Timestamp);

        var v2 = NatsJSMsgMetadata.Parse("$JS.ACK.hub.ACCHASH.ORDERS.workers.2.101.251.1700000000000000000.0.RANDOM")!.Value;
        Assert.Equal(("ORDERS", "workers", 2L, 101UL, 251UL, "hub"), (v2.Stream, v2.Consumer, v2.NumDelivered, v2.StreamSequence, v2.ConsumerSequence, v2.Domain));
        var v2NoDomain = NatsJSMsgMetadata.Parse("$JS.ACK._.ACCHASH.ORDERS.workers.1.1.1.1700000000000000000.0")!.Value;
        Assert.Null(v2NoDomain.Domain);

        Assert.Null(NatsJSMsgMetadata.Parse("_INBOX.abc.1"));
        Assert.Null(NatsJSMsgMetadata.Parse("$JS.ACK.too.short"));
    }

    [Fact]
    public void Header_block_with_status_line_parses()
    {
        var h = NatsConnection.ParseHeaders("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 5\r\n\r\n"u8);
        Assert.Equal(408, h.Code);
        Assert.Equal("Request Timeout", h.Message);
        Assert.Equal("5", h["Nats-Pending-Messages"]);
        var plain = NatsConnection.ParseHeaders("NATS/1.0\r\nk: v: w\r\n\r\n"u8);
        Assert.Equal(0, plain.Code);
        Assert.Equal("v: w", plain["k"]);
    }
}
