using System.Collections.Concurrent;
using System.Text;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;
using NATS.Client.Core;

namespace SmsGateway.Tests.Nats;

/// <summary>Kills and restarts its own server, so it does not share the collection fixture.</summary>
public sealed class ReconnectTests
{
    [Fact(Timeout = 90_000)]
    public async Task Server_killed_and_restarted_mid_stream_loses_no_acked_message_and_client_reconnects_by_itself()
    {
        await using var server = new NatsServer();
        await server.StartAsync();
        var options = new NatsTransportOptions
        {
            Url = server.Url,
            PublishTimeoutMs = 20_000,
            ReconnectWaitMaxMs = 300,
            PullExpiresMs = 5000,
            IdleHeartbeatMs = 1000,
            PingIntervalMs = 1000,
        };
        await using var publisher = new NatsTransport(options, null);
        await using var consumer = new NatsTransport(options, null);
        // NATS.Net has no reconnect counter: count the connection's "opened" events (the first connect included).
        var publisherOpened = 0;
        var consumerOpened = 0;
        publisher.Connection.ConnectionOpened += (_, _) => { Interlocked.Increment(ref publisherOpened); return ValueTask.CompletedTask; };
        consumer.Connection.ConnectionOpened += (_, _) => { Interlocked.Increment(ref consumerOpened); return ValueTask.CompletedTask; };
        await using var sub = await consumer.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 64, AckWait = TimeSpan.FromSeconds(3) }, CancellationToken.None);

        const int total = 3000;
        var acked = new ConcurrentDictionary<int, bool>();
        var received = new ConcurrentDictionary<int, int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(75));

        var consume = Task.Run(async () =>
        {
            await foreach (var d in sub.Deliveries.ReadAllAsync(stop.Token))
            {
                received.AddOrUpdate(int.Parse(Encoding.UTF8.GetString(d.Payload.Span)), 1, (_, n) => n + 1);
                try
                {
                    await d.AckAsync(stop.Token);
                }
                catch (TransportException)
                {
                    // connection down: redelivered later
                }
            }
        });

        var publish = Task.Run(async () =>
        {
            // 8 concurrent publishers, each retrying through the outage with the same message id
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async w =>
            {
                for (var i = w; i < total; i += 8)
                {
                    await publisher.PublishAsync(Topics.Express, new OutgoingMessage("k", Encoding.UTF8.GetBytes(i.ToString()), $"id-{i}"), stop.Token);
                    acked[i] = true;
                }
            }));
        });

        while (acked.Count < total / 3)
        {
            await Task.Delay(10, stop.Token);
        }

        await server.KillAsync();
        var ackedAtKill = acked.Count;
        await Task.Delay(1000, stop.Token);
        Assert.NotEqual(NatsConnectionState.Open, publisher.Connection.ConnectionState);
        await server.StartAsync(); // same port, same store directory

        await publish;
        Assert.Equal(total, acked.Count);
        while (!acked.Keys.All(received.ContainsKey))
        {
            await Task.Delay(50, stop.Token);
        }

        Assert.True(ackedAtKill < total, "the kill should happen mid-stream");
        Assert.True(Volatile.Read(ref publisherOpened) >= 2, $"publisher opened {publisherOpened} times");
        Assert.True(Volatile.Read(ref consumerOpened) >= 2, $"consumer opened {consumerOpened} times");
        Assert.Equal(NatsConnectionState.Open, consumer.Connection.ConnectionState);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consume);
    }
}
