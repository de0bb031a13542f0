using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using SmsGateway.Transports.Kafka.Testing;

namespace SmsGateway.Tests.FullStack;

/// <summary>
/// Issue 12 item 5: <c>/health/ready</c> turns 503 naming the dependency while NATS, PostgreSQL or the Redis ledger is down,
/// and 200 again by itself once it is back. Each test starts and stops its own server; the others come from the stack.
/// </summary>
[Collection(FullStackCollection.Name)]
public sealed class ReadinessStackTests(StackFixture stack)
{
    private static readonly TimeSpan SeenDown = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SeenBack = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 60_000)]
    public async Task Nats_killed_turns_broker_unready_and_back()
    {
        var nats = new NatsServer();
        await nats.StartAsync();
        try
        {
            var db = await stack.Postgres.CreateDatabaseAsync("readynats");
            await using var host = HostSettings.Create(stack, db).Nats(nats).Build();
            using var http = host.CreateClient();
            await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, nats.Port);

            await nats.KillAsync();
            await WaitForAsync(http, HttpStatusCode.ServiceUnavailable, "broker", SeenDown, nats.Port);

            await nats.StartAsync();
            await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, nats.Port);
        }
        finally
        {
            await nats.DisposeAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Kafka_brokers_gone_turn_broker_unready()
    {
        using var kafka = KafkaMockCluster.Start(1); // disposed after the host stops (the finally below)
        var db = await stack.Postgres.CreateDatabaseAsync("readykafka");
        var host = HostSettings.Create(stack, db).Kafka(kafka.BootstrapServers).Build();
        try
        {
            using var http = host.CreateClient();
            var port = int.Parse(kafka.BootstrapServers.Split(':')[^1], CultureInfo.InvariantCulture);
            await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, port);
            using (var report = JsonDocument.Parse(await http.GetStringAsync("/health/ready")))
            {
                var broker = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "broker");
                Assert.Equal("connected", broker.GetProperty("description").GetString()); // probed, not "unknown"
            }

            // librdkafka's mock cluster cannot come back once destroyed: the way back is covered by the NATS test.
            kafka.Stop();
            await WaitForAsync(http, HttpStatusCode.ServiceUnavailable, "broker", SeenDown, port);
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(15));
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Postgres_stopped_turns_status_store_unready_and_back()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var db = await postgres.CreateDatabaseAsync("readypg");
        await using var host = HostSettings.Create(stack, db).Nats(stack.Nats).Build();
        using var http = host.CreateClient();
        await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, postgres.Port);

        await postgres.StopAsync();
        await WaitForAsync(http, HttpStatusCode.ServiceUnavailable, "status_store", SeenDown, postgres.Port);

        await postgres.StartAgainAsync();
        await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, postgres.Port);
    }

    [Fact(Timeout = 90_000)]
    public async Task Postgres_stopped_leaves_a_gateway_only_process_ready_but_degraded()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var db = await postgres.CreateDatabaseAsync("readygw");
        await using var host = HostSettings.Create(stack, db).Nats(stack.Nats).With("Gateway:Roles", "gateway").Build();
        using var http = host.CreateClient();
        await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, postgres.Port);

        // The gateway's immediate sends live on cached settings while PostgreSQL is away: ready (200), the store degraded.
        await postgres.StopAsync();
        var clock = Stopwatch.StartNew();
        string body = "";
        while (clock.Elapsed < SeenDown)
        {
            using var response = await http.GetAsync("/health/ready");
            body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(postgres.Port.ToString(CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
            if (StatusOf(body, "status_store") == "degraded")
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal("degraded", StatusOf(body, "status_store"));
        Assert.Equal("degraded", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());

        await postgres.StartAgainAsync();
        await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, postgres.Port);
    }

    [Fact(Timeout = 60_000)]
    public async Task Ledger_frozen_or_stopped_turns_ledger_unready_within_the_bound_and_back()
    {
        await using var ledger = await RedisServer.StartAsync();
        var db = await stack.Postgres.CreateDatabaseAsync("readyledger");
        await using var host = HostSettings.Create(stack, db).Nats(stack.Nats).With("Redis:LedgerEndpoint", ledger.Endpoint)
            .With("Redis:OperationTimeoutMs", "500").Build(); // the default call limit, which the probe's bound is checked against
        using var http = host.CreateClient();
        await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, ledger.Port);

        // SIGSTOP: the port accepts and nothing answers; each check is bounded by ~1 s, so the answer must not hang.
        ledger.Freeze();
        await WaitForAsync(http, HttpStatusCode.ServiceUnavailable, "ledger", SeenDown, ledger.Port);
        var clock = Stopwatch.StartNew();
        var frozen = await http.GetAsync("/health/ready");
        clock.Stop();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, frozen.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"/health/ready took {clock.ElapsedMilliseconds} ms with the ledger frozen");
        ledger.Thaw();
        await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, ledger.Port);

        await ledger.StopAsync();
        await WaitForAsync(http, HttpStatusCode.ServiceUnavailable, "ledger", SeenDown, ledger.Port);

        await ledger.RestartAsync();
        await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, ledger.Port);
    }

    [Fact(Timeout = 90_000)]
    public async Task Lock_quorum_lost_turns_lock_quorum_unready_and_back()
    {
        var nodes = await RedisServer.StartManyAsync(3);
        try
        {
            var db = await stack.Postgres.CreateDatabaseAsync("readylock");
            await using var host = HostSettings.Create(stack, db, lockNodes: nodes).Nats(stack.Nats).Build();
            using var http = host.CreateClient();
            await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, nodes[0].Port);

            await nodes[2].StopAsync(); // one of three: the quorum holds
            await Task.Delay(DependencyCacheAndBound);
            await WaitForAsync(http, HttpStatusCode.OK, null, SeenDown, nodes[2].Port);

            await nodes[1].StopAsync();
            await WaitForAsync(http, HttpStatusCode.ServiceUnavailable, "lock_quorum", SeenDown, nodes[1].Port);

            await nodes[1].RestartAsync();
            await WaitForAsync(http, HttpStatusCode.OK, null, SeenBack, nodes[1].Port);
        }
        finally
        {
            foreach (var n in nodes)
            {
                await n.DisposeAsync();
            }
        }
    }

    private static readonly TimeSpan DependencyCacheAndBound = TimeSpan.FromSeconds(2.5);

    /// <summary>
    /// Polls <c>/health/ready</c> until it answers <paramref name="status"/> (with <paramref name="unhealthy"/> the only
    /// unhealthy check when given, every check healthy for 200) within <paramref name="within"/>; the body must never
    /// show the server's port.
    /// </summary>
    private static async Task WaitForAsync(HttpClient http, HttpStatusCode status, string? unhealthy, TimeSpan within, int port)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < within)
        {
            using var response = await http.GetAsync("/health/ready");
            last = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(port.ToString(CultureInfo.InvariantCulture), last, StringComparison.Ordinal);
            if (response.StatusCode == status && Matches(last, unhealthy))
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"/health/ready did not answer {(int)status} with {unhealthy ?? "every check"} {(unhealthy is null ? "healthy" : "unhealthy")} within {within.TotalSeconds} s; last body: {last}");
    }

    private static string? StatusOf(string body, string check)
    {
        using var report = JsonDocument.Parse(body);
        return report.RootElement.GetProperty("checks").EnumerateArray()
            .SingleOrDefault(c => c.GetProperty("name").GetString() == check) is { ValueKind: JsonValueKind.Object } entry
            ? entry.GetProperty("status").GetString()
            : null;
    }

    private static bool Matches(string body, string? unhealthy)
    {
        using var report = JsonDocument.Parse(body);
        var bad = report.RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("status").GetString() != "healthy")
            .Select(c => c.GetProperty("name").GetString())
            .ToList();
        return unhealthy is null ? bad.Count == 0 : bad.Count == 1 && bad[0] == unhealthy;
    }
}
