using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Access;
using SmsGateway.Billing;
using SmsGateway.Idempotency;
using SmsGateway.Locking;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class ScriptReloadTests(RedisServersFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task Scripts_are_sent_again_after_the_server_forgets_them()
    {
        await using var provider = new ServiceCollection()
            // This test is about NOSCRIPT, not timing: a generous timeout, because the first script load of a fresh client once took
            // longer than the default 500 ms while CI's two cores were busy. The lock nodes get 500 ms for the same reason (it must stay
            // below half the lock TTL, which RedisOptions validates).
            .AddRedisLedger(fixture.Options() with { OperationTimeoutMs = 5_000, LockNodeTimeoutMs = 500 })
            .AddRedisAccountLimiter()
            .BuildServiceProvider();
        var ledger = provider.GetRequiredService<IBalanceLedger>();
        var locks = provider.GetRequiredService<IDistributedLockFactory>();
        var store = provider.GetRequiredService<IIdempotencyStore>();
        var limiter = provider.GetRequiredService<IAccountRateLimiter>();
        var user = "u" + Guid.NewGuid().ToString("N");
        RateRule[] rules = [new("msg:" + user, 100, 1000)];

        // Use the scripts once, so the servers hold them and every call is an EVALSHA by hash.
        await ledger.ChargeAsync(user, 100, "c1", CancellationToken.None);
        var first = Guid.NewGuid();
        await ledger.ReserveAsync(user, [new(first, 1)], 1, CancellationToken.None);
        await limiter.AcquireAsync(rules, 1, CancellationToken.None);
        await using (await locks.CreateLockAsync("user:" + user, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), CancellationToken.None))
        {
        }

        await store.TryClaimAsync("k" + user, "fp", TimeSpan.FromMinutes(1), CancellationToken.None);

        foreach (var s in fixture.Servers)
        {
            Assert.Equal("OK", await RedisCli.RunAsync(s.Port, "SCRIPT", "FLUSH"));
            Assert.Equal("OK", await RedisCli.RunAsync(s.Port, "CONFIG", "RESETSTAT"));
        }

        // Every call after the flush meets NOSCRIPT first and succeeds on the resend.
        var balance = await ledger.ChargeAsync(user, 5, "c2", CancellationToken.None);
        Assert.Equal(104, balance.Available);
        Assert.Equal([ReserveOutcome.Reserved], await ledger.ReserveAsync(user, [new(Guid.NewGuid(), 4)], 1, CancellationToken.None));
        await using var grant = await locks.CreateLockAsync("user:" + user, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), CancellationToken.None);
        Assert.True(grant.IsAcquired, grant.Status.ToString());
        Assert.Equal(IdempotencyState.InProgress, (await store.TryClaimAsync("k" + user, "fp", TimeSpan.FromMinutes(1), CancellationToken.None)).State);
        Assert.Equal(BeginSendOutcome.Send, (await ledger.BeginSendManyAsync([new(user, first, 1)], CancellationToken.None))[0].Outcome);
        Assert.Equal([SettleOutcome.Settled], await ledger.SettleManyAsync([new(user, first, SettleKind.Capture)], CancellationToken.None));
        Assert.True((await limiter.AcquireAsync(rules, 1, CancellationToken.None)).Allowed);

        // Each call sent EVALSHA, met NOSCRIPT and was sent again with the script's text (RedisScript): the servers counted
        // the NOSCRIPT replies.
        var noscript = 0;
        foreach (var s in fixture.Servers)
        {
            var stats = await RedisCli.RunAsync(s.Port, "INFO", "errorstats");
            var line = stats.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("errorstat_NOSCRIPT:count=", StringComparison.Ordinal));
            noscript += line is null ? 0 : int.Parse(line["errorstat_NOSCRIPT:count=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }

        // At least one per script called after the flush (charge, reserve, fence, claim, begin-send, settle-many, GCRA): had
        // any been sent as EVAL with its text, the server would have loaded it without a NOSCRIPT reply.
        Assert.True(noscript >= 7, $"NOSCRIPT replies: {noscript}");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_new_ledger_connection_loads_every_script_before_it_is_used()
    {
        var ledger = fixture.Servers[0].Port;
        Assert.Equal("OK", await RedisCli.RunAsync(ledger, "SCRIPT", "FLUSH"));
        Assert.All(await ScriptsExistAsync(ledger), Assert.False); // the servers forgot them: nothing below can pass by leftovers

        await using var connections = new RedisConnections(fixture.Options(), NullLoggerFactory.Instance);
        await connections.Ledger;

        Assert.All(await ScriptsExistAsync(ledger), Assert.True);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_restored_ledger_connection_loads_the_scripts_again()
    {
        var ledger = fixture.Servers[0].Port;
        await using var connections = new RedisConnections(fixture.Options(), NullLoggerFactory.Instance);
        var multiplexer = await connections.Ledger;
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        multiplexer.ConnectionRestored += (_, _) => restored.TrySetResult();

        // What a restarted server looks like to the client: the scripts are gone and the connection drops and comes back.
        Assert.Equal("OK", await RedisCli.RunAsync(ledger, "SCRIPT", "FLUSH"));
        await RedisCli.RunAsync(ledger, "CLIENT", "KILL", "TYPE", "normal");
        await restored.Task.WaitAsync(TimeSpan.FromSeconds(15));

        var loaded = await ScriptsExistAsync(ledger); // the reload runs after the event: wait up to 5 s for it
        for (int i = 0; i < 100 && !loaded.All(x => x); i++)
        {
            await Task.Delay(50);
            loaded = await ScriptsExistAsync(ledger);
        }

        Assert.All(loaded, Assert.True);
    }

    // SCRIPT EXISTS for every script the gateway preloads (LuaScripts.All), in that order.
    private static async Task<bool[]> ScriptsExistAsync(int port)
    {
        var hashes = LuaScripts.All.Select(s => Convert.ToHexStringLower(s.Hash)).ToArray();
        var answer = await RedisCli.RunAsync(port, ["SCRIPT", "EXISTS", .. hashes]);
        var flags = answer.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(hashes.Length, flags.Length);
        return [.. flags.Select(f => f == "1")];
    }
}
