using System.Collections.Concurrent;
using System.Text;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;
using NATS.Client.JetStream;

namespace SmsGateway.Tests.Nats;

/// <summary>
/// <c>Nats:Replicas</c>: validated, declared on every stream, checked against the server's answer, and on a 3-node
/// cluster (given as a comma-separated seed list) R3 streams keep every acked message through a kill -9 of a node.
/// Each test starts its own servers (they are killed), so none shares the collection fixture.
/// </summary>
public sealed class ReplicaTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Replicas_1_3_and_5_are_accepted(int replicas) =>
        Assert.Equal(replicas, new NatsTransportOptions { Replicas = replicas }.Validate().Replicas);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(-1)]
    public void Other_replica_counts_are_refused_naming_the_key(int replicas)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NatsTransportOptions { Replicas = replicas }.Validate());
        Assert.Equal(nameof(NatsTransportOptions.Replicas), e.ParamName);
        Assert.Contains("1, 3 or 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replicas_default_to_one_and_the_url_takes_a_seed_list()
    {
        Assert.Equal(1, new NatsTransportOptions().Replicas);
        var o = new NatsTransportOptions { Url = "nats://127.0.0.1:4222, nats://127.0.0.1:4223,nats://127.0.0.1:4224", Replicas = 3 }.Validate();
        Assert.Equal(3, o.Replicas);
        var e = Assert.Throws<ArgumentException>(() => new NatsTransportOptions { Url = "nats://127.0.0.1:4222,http://x" }.Validate());
        Assert.Equal(nameof(NatsTransportOptions.Url), e.ParamName);
    }

    [Fact(Timeout = 60_000)]
    public async Task Three_replicas_on_a_single_server_stop_the_transport_at_setup()
    {
        await using var server = new NatsServer();
        await server.StartAsync();
        var id = Unique.Name("S");
        await using var t = new NatsTransport(new NatsTransportOptions { Url = server.Url, StreamPrefix = id + "_", SubjectPrefix = id.ToLowerInvariant(), Replicas = 3 }, null);

        // nats-server refuses R3 when it is not clustered (or, if it kept R1, the field-by-field check refuses its answer)
        await Assert.ThrowsAsync<TransportException>(async () => await t.EnsureReadyAsync(CancellationToken.None));
    }

    [Fact(Timeout = 120_000)]
    public async Task R3_streams_on_a_three_node_cluster_keep_every_acked_message_when_the_stream_leader_is_killed()
    {
        await using var cluster = await NatsCluster.StartAsync();
        var options = new NatsTransportOptions
        {
            Url = cluster.Url,
            Replicas = 3,
            PublishTimeoutMs = 30_000,
            ReconnectWaitMaxMs = 300,
            PullExpiresMs = 5000,
            IdleHeartbeatMs = 1000,
            PingIntervalMs = 1000,
            RequestTimeoutMs = 10_000,
        };
        await using var publisher = new NatsTransport(options, null);
        await using var consumer = new NatsTransport(options, null);
        await publisher.EnsureReadyAsync(CancellationToken.None);
        foreach (var stream in Topics.All.Select(options.StreamOf).Append(options.DeadStream))
        {
            var info = (await publisher.JetStream.GetStreamAsync(stream, cancellationToken: CancellationToken.None)).Info;
            Assert.Equal(3, info.Config.NumReplicas);
            Assert.NotNull(info.Cluster?.Leader);
            Assert.Equal(2, info.Cluster!.Replicas?.Count);
        }

        await using var sub = await consumer.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 64, AckWait = TimeSpan.FromSeconds(5) }, CancellationToken.None);
        const int total = 600;
        var received = new ConcurrentDictionary<int, int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(100));
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
                    // the node went away under the ack: redelivered after the ack wait
                }
            }
        });

        for (var i = 0; i < total / 2; i++)
        {
            await publisher.PublishAsync(Topics.Express, new OutgoingMessage("k", Encoding.UTF8.GetBytes(i.ToString()), $"id-{i}"), stop.Token);
        }

        // kill -9 the node that leads the stream being written: a new leader is elected among the two replicas left
        var leader = (await publisher.JetStream.GetStreamAsync(options.StreamOf(Topics.Express), cancellationToken: stop.Token)).Info.Cluster!.Leader!;
        var killed = int.Parse(leader.AsSpan(1));
        await cluster.KillAsync(killed);
        for (var i = total / 2; i < total; i++)
        {
            await publisher.PublishAsync(Topics.Express, new OutgoingMessage("k", Encoding.UTF8.GetBytes(i.ToString()), $"id-{i}"), stop.Token);
        }

        while (received.Count < total)
        {
            await Task.Delay(50, stop.Token);
        }

        var after = (await publisher.JetStream.GetStreamAsync(options.StreamOf(Topics.Express), cancellationToken: stop.Token)).Info.Cluster!;
        Assert.NotEqual(leader, after.Leader);
        Assert.Equal(Enumerable.Range(0, total), received.Keys.Order());
        await cluster.StartNodeAsync(killed);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consume);
    }
}
