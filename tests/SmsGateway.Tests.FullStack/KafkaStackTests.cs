using System.Diagnostics;
using System.Net;
using Npgsql;
using SmsGateway.Transports.Kafka.Testing;

namespace SmsGateway.Tests.FullStack;

/// <summary>
/// The whole pipeline over Kafka (librdkafka's in-process mock cluster: the only Kafka that runs here) + Redis ×3 +
/// PostgreSQL, through the HTTP API (issue 5). Each test has its own mock cluster.
/// </summary>
[Collection(FullStackCollection.Name)]
public sealed class KafkaStackTests(StackFixture stack)
{
    [Fact(Timeout = 60_000)]
    public async Task Seed_calls_work_over_kafka_redis_and_postgres()
    {
        using var kafka = KafkaMockCluster.Start(3);
        var db = await stack.Postgres.CreateDatabaseAsync("seedkafka");
        var host = HostSettings.Create(stack, db).Kafka(kafka.BootstrapServers).Build();
        try
        {
            await SeedFlow.RunAsync(new GatewayApi(host.CreateClient()));
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(15));
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Mixed_replay_over_kafka_reaches_final_statuses_and_balances()
    {
        using var kafka = KafkaMockCluster.Start(3);
        var db = await stack.Postgres.CreateDatabaseAsync("mixkafka");
        var host = HostSettings.Create(stack, db).Kafka(kafka.BootstrapServers).Failures(transient: 0.10, permanent: 0.01).Build();
        try
        {
            var api = new GatewayApi(host.CreateClient());
            var (charged, accepted) = await MixedRun.SendAsync(api, ["k1", "k2", "k3"], count: 1000, concurrency: 32, chargePerUser: 10_000_000);
            await using var sql = NpgsqlDataSource.Create(db);
            var failed = await MixedRun.VerifyAsync(api, sql, charged, accepted, TimeSpan.FromSeconds(45));
            Assert.InRange(failed, 0, 100);
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(15));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Broker_gone_send_answers_503_within_the_publish_timeout_and_charges_nothing()
    {
        const int publishTimeoutMs = 1500;
        using var kafka = KafkaMockCluster.Start(3); // disposed after the host stops (the finally below)
        var db = await stack.Postgres.CreateDatabaseAsync("gonekafka");
        // A publish cut off by the accept deadline (900 ms, shorter than the publish timeout) may have been stored, so its
        // reservation is not refunded at once but released by the expiry sweep (README "Durability"): shortened here.
        var host = HostSettings.Create(stack, db).Kafka(kafka.BootstrapServers, publishTimeoutMs)
            .With("Pipeline:Reservations:ConfirmDeadline", "00:00:02").With("Pipeline:Reservations:SweepInterval", "00:00:01").Build();
        try
        {
            var api = new GatewayApi(host.CreateClient());
            await api.ChargeAsync("g1", 100_000);
            var (first, _) = await api.SendAsync("g1", "09121234567", "before", "express");
            Assert.Equal(HttpStatusCode.Accepted, first);
            await WaitSettledAsync(api, "g1");
            var before = await api.BalanceAsync("g1");

            kafka.Stop();

            var elapsed = new List<long>();
            foreach (var type in new[] { "express", "normal" })
            {
                var clock = Stopwatch.StartNew();
                var (status, body) = await api.SendAsync("g1", "09121234567", "after the broker left", type);
                elapsed.Add(clock.ElapsedMilliseconds);
                Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{status}: {body}");
            }

            // Nothing charged: the reservation is released by the sweep (or compensated at once when the publish failed
            // before the accept deadline).
            var deadline = DateTime.UtcNow.AddSeconds(15);
            Balance after;
            while ((after = await api.BalanceAsync("g1")) != before && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(before, after);

            // Within the publish timeout plus librdkafka's timeout scan (1 s) and the refund.
            Assert.True(elapsed.TrueForAll(ms => ms < publishTimeoutMs + 1500),
                $"503 after {string.Join(" and ", elapsed)} ms with Kafka:PublishTimeoutMs={publishTimeoutMs}");
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(15));
        }
    }

    private static async Task WaitSettledAsync(GatewayApi api, string user)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await api.BalanceAsync(user)).Reserved != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the first message was not settled");
            await Task.Delay(25);
        }
    }
}
