using Microsoft.Extensions.DependencyInjection;
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
            .BuildServiceProvider();
        var ledger = provider.GetRequiredService<IBalanceLedger>();
        var locks = provider.GetRequiredService<IDistributedLockFactory>();
        var store = provider.GetRequiredService<IIdempotencyStore>();
        var user = "u" + Guid.NewGuid().ToString("N");

        // Use every script once so the client believes the server has them (it sends EVALSHA from then on).
        await ledger.ChargeAsync(user, 100, "c1", CancellationToken.None);
        await ledger.ReserveAsync(user, [new(Guid.NewGuid(), 1)], 1, CancellationToken.None);
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

        // The client sent EVALSHA, met NOSCRIPT and resent the script by itself (StackExchange.Redis 2 does; 1.2.6 surfaced
        // NOSCRIPT and the project resent it): the servers counted the NOSCRIPT replies. After the first one the client
        // forgets every script of that server, so one reply per server is enough to recover all calls above.
        var noscript = 0;
        foreach (var s in fixture.Servers)
        {
            var stats = await RedisCli.RunAsync(s.Port, "INFO", "errorstats");
            var line = stats.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("errorstat_NOSCRIPT:count=", StringComparison.Ordinal));
            noscript += line is null ? 0 : int.Parse(line["errorstat_NOSCRIPT:count=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.True(noscript >= 1, $"NOSCRIPT replies: {noscript}");
    }
}
