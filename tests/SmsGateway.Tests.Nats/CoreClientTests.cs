using System.Text;
using SmsGateway.Transports.Nats.Client;

namespace SmsGateway.Tests.Nats;

[Collection(NatsCollection.Name)]
public sealed class CoreClientTests(NatsServer server)
{
    private async Task<NatsConnection> ConnectAsync()
    {
        var c = new NatsConnection(new NatsOpts { Url = server.Url });
        await c.ConnectAsync(CancellationToken.None);
        return c;
    }

    [Fact(Timeout = 20_000)]
    public async Task Publish_reaches_subscriber_with_headers_and_reply_subject()
    {
        await using var c = await ConnectAsync();
        var subject = "core." + Unique.Name("s");
        await using var sub = await c.SubscribeCoreAsync(subject, null, CancellationToken.None);
        await c.PingAsync(CancellationToken.None);

        await c.PublishAsync(subject, "one"u8.ToArray(), CancellationToken.None);
        await c.PublishAsync(subject, "two"u8.ToArray(), new NatsHeaders { ["a"] = "1", ["traceparent"] = "00-abc-def-01" }, "reply.here", CancellationToken.None);

        var m1 = await sub.Msgs.ReadAsync();
        var m2 = await sub.Msgs.ReadAsync();
        Assert.Equal("one", Encoding.UTF8.GetString(m1.Data.Span));
        Assert.Null(m1.Headers);
        Assert.Equal("two", Encoding.UTF8.GetString(m2.Data.Span));
        Assert.Equal("1", m2.Headers!["a"]);
        Assert.Equal("00-abc-def-01", m2.Headers["traceparent"]);
        Assert.Equal("reply.here", m2.ReplyTo);
        Assert.Equal(subject, m2.Subject);
        Assert.Equal("2.9.10", c.ServerInfo!.Version);
    }

    [Fact(Timeout = 20_000)]
    public async Task Queue_group_members_share_messages_without_duplicates()
    {
        await using var pub = await ConnectAsync();
        await using var c1 = await ConnectAsync();
        await using var c2 = await ConnectAsync();
        var subject = "core." + Unique.Name("q");
        await using var s1 = await c1.SubscribeCoreAsync(subject, "workers", CancellationToken.None);
        await using var s2 = await c2.SubscribeCoreAsync(subject, "workers", CancellationToken.None);
        await c1.PingAsync(CancellationToken.None);
        await c2.PingAsync(CancellationToken.None);

        const int count = 1000;
        for (var i = 0; i < count; i++)
        {
            await pub.PublishAsync(subject, Encoding.UTF8.GetBytes(i.ToString()), CancellationToken.None);
        }

        await pub.PingAsync(CancellationToken.None);
        var seen = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n1 = 0, n2 = 0;
        while (seen.Count < count)
        {
            if (s1.Msgs.TryRead(out var a))
            {
                seen.Add(Encoding.UTF8.GetString(a.Data.Span));
                n1++;
            }
            else if (s2.Msgs.TryRead(out var b))
            {
                seen.Add(Encoding.UTF8.GetString(b.Data.Span));
                n2++;
            }
            else
            {
                await Task.Delay(5, cts.Token);
            }
        }

        await Task.Delay(100);
        Assert.False(s1.Msgs.TryRead(out _) || s2.Msgs.TryRead(out _), "a message was delivered twice");
        Assert.Equal(count, seen.Distinct().Count());
        Assert.True(n1 > 0 && n2 > 0, $"both members should get work ({n1}/{n2})");
    }

    [Fact(Timeout = 20_000)]
    public async Task Request_reply_over_shared_inbox_and_no_responders()
    {
        await using var server1 = await ConnectAsync();
        await using var client = await ConnectAsync();
        var subject = "svc." + Unique.Name("echo");
        await using var sub = await server1.SubscribeCoreAsync(subject, "svc", CancellationToken.None);
        await server1.PingAsync(CancellationToken.None);
        var responder = Task.Run(async () =>
        {
            await foreach (var m in sub.Msgs.ReadAllAsync())
            {
                await m.ReplyAsync(Encoding.UTF8.GetBytes("re:" + Encoding.UTF8.GetString(m.Data.Span)), null, CancellationToken.None);
            }
        });

        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            var r = await client.RequestAsync(subject, Encoding.UTF8.GetBytes(i.ToString()), null, TimeSpan.FromSeconds(5), CancellationToken.None);
            return Encoding.UTF8.GetString(r.Data.Span);
        }));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => "re:" + i), replies);

        await Assert.ThrowsAsync<NatsNoRespondersException>(async () =>
            await client.RequestAsync("nobody." + Unique.Name("x"), "?"u8.ToArray(), null, TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    [Fact(Timeout = 20_000)]
    public async Task Payload_above_max_payload_is_refused_before_sending()
    {
        await using var c = await ConnectAsync();
        var max = c.ServerInfo!.MaxPayload;
        var ex = await Assert.ThrowsAsync<NatsPayloadTooLargeException>(async () =>
            await c.PublishAsync("big", new byte[max + 1], CancellationToken.None));
        Assert.Equal(max, ex.MaxPayload);
        await c.PingAsync(CancellationToken.None); // still usable
        Assert.Equal(NatsConnectionState.Open, c.ConnectionState);
    }

    [Fact(Timeout = 20_000)]
    public async Task Unsubscribed_subscription_stops_receiving()
    {
        await using var c = await ConnectAsync();
        var subject = "core." + Unique.Name("u");
        var sub = await c.SubscribeCoreAsync(subject, null, CancellationToken.None);
        await sub.DisposeAsync();
        await c.PublishAsync(subject, "x"u8.ToArray(), CancellationToken.None);
        await c.PingAsync(CancellationToken.None);
        Assert.False(sub.Msgs.TryRead(out _));
        Assert.True(sub.Msgs.Completion.IsCompleted);
    }

    [Fact(Timeout = 10_000)]
    public async Task Connect_to_closed_port_fails_with_NatsException()
    {
        await using var c = new NatsConnection(new NatsOpts { Url = $"nats://127.0.0.1:{SmsGateway.Testing.FreePort.Next()}", ConnectTimeout = TimeSpan.FromSeconds(2) });
        await Assert.ThrowsAsync<NatsException>(async () => await c.ConnectAsync(CancellationToken.None));
    }
}
