using Microsoft.Extensions.DependencyInjection;
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
}
