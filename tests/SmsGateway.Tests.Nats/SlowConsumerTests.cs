using System.Collections.Concurrent;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;

namespace SmsGateway.Tests.Nats;

/// <summary>
/// A pull's messages are written to the connection at once, and nats-server cuts off a client whose unread bytes pass its
/// <c>max_pending</c> as a slow consumer (NatsTransportOptions.MaxFetchMessages). Each test runs its own server with a small
/// <c>max_pending</c>, so it does not share the collection fixture.
/// </summary>
public sealed class SlowConsumerTests
{
    private const int Messages = 40;
    private const int PayloadBytes = 600 * 1024; // 40 × 600 KB = 24 MB in the stream; max_pending is 2 MB

    [Fact(Timeout = 90_000)]
    public async Task Pulls_of_at_most_MaxFetchMessages_keep_a_backlog_under_max_pending_on_one_connection()
    {
        var opened = await DrainBacklogAsync(maxFetchMessages: 2); // 1.2 MB per pull
        Assert.Equal(1, opened);
    }

    [Fact(Timeout = 90_000)]
    public async Task One_pull_of_the_whole_backlog_gets_the_connection_cut_off_as_a_slow_consumer()
    {
        // The failure the cap prevents: 24 MB asked for at once against a 2 MB max_pending. Every message still arrives
        // (NATS.Net reconnects, the lost ones come back after the ack wait), but on a second connection.
        var opened = await DrainBacklogAsync(maxFetchMessages: Messages);
        Assert.True(opened >= 2, $"the consumer's connection opened {opened} time(s); a slow-consumer cut-off reconnects");
    }

    // Publishes the backlog, then pulls it with a subscription of MaxInFlight = Messages and acks each delivery; returns how
    // many times the consumer's connection was opened (1 = never cut off).
    private static async Task<int> DrainBacklogAsync(int maxFetchMessages)
    {
        await using var server = NatsServer.With("max_pending: 2MB\n");
        await server.StartAsync();
        var options = new NatsTransportOptions
        {
            Url = server.Url,
            ReconnectWaitMaxMs = 200,
            PullExpiresMs = 5000,
            IdleHeartbeatMs = 1000,
            PingIntervalMs = 1000,
            MaxFetchMessages = maxFetchMessages,
        };
        await using var publisher = new NatsTransport(options, null);
        await using var consumer = new NatsTransport(options, null);
        var opened = 0;
        consumer.Connection.ConnectionOpened += (_, _) => { Interlocked.Increment(ref opened); return ValueTask.CompletedTask; };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(75));
        for (int i = 0; i < Messages; i++)
        {
            var payload = new byte[PayloadBytes];
            Array.Fill(payload, (byte)'a');
            payload[0] = (byte)i;
            await publisher.PublishAsync(Topics.Normal, new OutgoingMessage("k", payload, $"m-{i}"), stop.Token);
        }

        var received = new ConcurrentDictionary<byte, bool>();
        var subscription = new SubscriptionOptions { MaxInFlight = Messages, AckWait = TimeSpan.FromSeconds(3) };
        await using var sub = await consumer.SubscribeAsync(Topics.Normal, "dispatch", subscription, stop.Token);
        await foreach (var d in sub.Deliveries.ReadAllAsync(stop.Token))
        {
            Assert.Equal(PayloadBytes, d.Payload.Length);
            received[d.Payload.Span[0]] = true;
            try
            {
                await d.AckAsync(stop.Token);
            }
            catch (TransportException)
            {
                // connection cut off: the message comes back after its ack wait
            }

            if (received.Count == Messages)
            {
                break;
            }
        }

        return Volatile.Read(ref opened);
    }
}
