using Npgsql;

namespace SmsGateway.Tests.FullStack;

/// <summary>The whole pipeline over NATS JetStream + Redis ×3 + PostgreSQL, through the HTTP API (issue 4, issue 6).</summary>
[Collection(FullStackCollection.Name)]
public sealed class NatsStackTests(StackFixture stack)
{
    [Fact(Timeout = 60_000)]
    public async Task Seed_calls_work_over_nats_redis_and_postgres()
    {
        var db = await stack.Postgres.CreateDatabaseAsync("seednats");
        await using var host = HostSettings.Create(stack, db).Nats(stack.Nats).Build();
        await SeedFlow.RunAsync(new GatewayApi(host.CreateClient()));
    }

    [Fact(Timeout = 60_000)]
    public async Task Invalid_NATS_credentials_settings_stop_the_host_naming_the_key()
    {
        var db = await stack.Postgres.CreateDatabaseAsync("credsnats");
        var missingCreds = HostSettings.Create(stack, db).Nats(stack.Nats).With("Nats:CredsFile", "/nonexistent/gateway.creds");
        var ex = Assert.ThrowsAny<Exception>(() => { using var host = missingCreds.Build(); });
        Assert.Contains("Nats:CredsFile", ex.ToString(), StringComparison.Ordinal);

        var halfUser = HostSettings.Create(stack, db).Nats(stack.Nats).With("Nats:Username", "gateway");
        ex = Assert.ThrowsAny<Exception>(() => { using var host = halfUser.Build(); });
        Assert.Contains("Nats:Password", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Mixed_replay_with_operator_failures_reaches_final_statuses_and_balances()
    {
        var db = await stack.Postgres.CreateDatabaseAsync("mixnats");
        await using var host = HostSettings.Create(stack, db).Nats(stack.Nats).Failures(transient: 0.10, permanent: 0.01).Build();
        var api = new GatewayApi(host.CreateClient());
        string[] users = ["u1", "u2", "u3", "u4", "u5", "u6"];

        var (charged, accepted) = await MixedRun.SendAsync(api, users, count: 3000, concurrency: 32, chargePerUser: 10_000_000);

        await using var sql = NpgsqlDataSource.Create(db);
        var failed = await MixedRun.VerifyAsync(api, sql, charged, accepted, TimeSpan.FromSeconds(60));
        Assert.InRange(failed, 1, 300); // ~1% permanent (30 expected) plus the rare transient that exhausts its retries
    }
}
