using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Billing;
using SmsGateway.Locking;
using StackExchange.Redis;

namespace SmsGateway.Tests.Redis;

/// <summary>
/// Issue 15 on the real three lock nodes: user lock leases (<see cref="LockLeases"/>) over RedLock.net, as two gateway
/// processes (own connections each) use them for accept batches.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LockLeaseTests(RedisServersFixture fixture)
{
    [Fact(Timeout = 120_000)]
    public async Task Two_gateways_leasing_one_user_never_hold_it_at_once_and_every_token_they_reserve_with_is_current()
    {
        var options = fixture.Options("lease2:");
        await using var providerA = RedisServersFixture.Provider(options);
        await using var providerB = RedisServersFixture.Provider(options);
        var leaseOptions = new PipelineOptions
        {
            LockLeaseIdle = TimeSpan.FromMilliseconds(50),
            LockLeaseMaxHold = TimeSpan.FromMilliseconds(100),
            LockWait = TimeSpan.FromSeconds(30),
        };
        var locksA = new CountingLocks(providerA.GetRequiredService<IDistributedLockFactory>());
        var locksB = new CountingLocks(providerB.GetRequiredService<IDistributedLockFactory>());
        await using var leasesA = new LockLeases(locksA, leaseOptions, TimeProvider.System, NullLogger.Instance);
        await using var leasesB = new LockLeases(locksB, leaseOptions, TimeProvider.System, NullLogger.Instance);
        var ledger = providerA.GetRequiredService<IBalanceLedger>();
        var user = "u" + Guid.NewGuid().ToString("N");
        await ledger.ChargeAsync(user, 400 * 12, "initial", CancellationToken.None);

        int inside = 0, overlaps = 0;
        long lastToken = 0;
        var outcomes = new ConcurrentBag<ReserveOutcome>();
        var byGateway = new int[2];

        // 400 batches of 2 messages, from both gateways at once (balance for 400 messages).
        async Task BatchAsync(int i)
        {
            var leases = i % 2 == 0 ? leasesA : leasesB;
            await using var lease = await leases.UseAsync("user:" + user, CancellationToken.None);
            Assert.True(lease.IsAcquired, lease.Status.ToString());
            if (Interlocked.Increment(ref inside) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            // Tokens in the order of the critical sections never go back: a new holder always has a newer token.
            Assert.True(lease.FencingToken >= Interlocked.Exchange(ref lastToken, lease.FencingToken), "an older token was used after a newer one");
            var result = await ledger.ReserveAsync(user, [new Reservation(Guid.NewGuid(), 12), new Reservation(Guid.NewGuid(), 12)], lease.FencingToken, CancellationToken.None);
            foreach (var outcome in result)
            {
                outcomes.Add(outcome);
            }

            Interlocked.Increment(ref byGateway[i % 2]);
            Interlocked.Decrement(ref inside);
        }

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => BatchAsync(i))));

        Assert.Equal(0, overlaps);
        Assert.DoesNotContain(ReserveOutcome.StaleFencingToken, outcomes);
        Assert.Equal(400, outcomes.Count(o => o == ReserveOutcome.Reserved));
        Assert.Equal(400, outcomes.Count(o => o == ReserveOutcome.InsufficientFunds));
        Assert.Equal([200, 200], byGateway);
        Assert.True(locksA.Acquired > 0 && locksB.Acquired > 0, $"A acquired {locksA.Acquired}, B {locksB.Acquired}: both gateways got the user");
        Assert.True(locksA.Acquired + locksB.Acquired < 400, $"{locksA.Acquired} + {locksB.Acquired} grants for 400 batches: leases were reused");
        var balance = await ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((0L, 4_800L, 0L), (balance.Available, balance.Reserved, balance.Spent));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_lease_survives_across_batches_and_RedLock_extensions_with_one_Redlock_round()
    {
        var options = fixture.Options("lease1:");
        await using var provider = RedisServersFixture.Provider(options);
        var locks = new CountingLocks(provider.GetRequiredService<IDistributedLockFactory>());
        var leaseOptions = new PipelineOptions
        {
            LockExpiry = TimeSpan.FromSeconds(1),          // RedLock.net extends every 500 ms
            LockLeaseMargin = TimeSpan.FromMilliseconds(300),
            LockLeaseIdle = TimeSpan.FromSeconds(5),
            LockLeaseMaxHold = TimeSpan.FromSeconds(30),
        };
        await using var leases = new LockLeases(locks, leaseOptions, TimeProvider.System, NullLogger.Instance);
        var ledger = provider.GetRequiredService<IBalanceLedger>();
        var user = "u" + Guid.NewGuid().ToString("N");
        await ledger.ChargeAsync(user, 1_000, "initial", CancellationToken.None);
        long setsBefore = await LockSetsAsync();

        var tokens = new List<long>();
        for (int i = 0; i < 40; i++) // ~2 s: several extensions
        {
            await using (var lease = await leases.UseAsync("user:" + user, CancellationToken.None))
            {
                Assert.True(lease.IsAcquired, lease.Status.ToString());
                tokens.Add(lease.FencingToken);
                var result = await ledger.ReserveAsync(user, [new Reservation(Guid.NewGuid(), 1)], lease.FencingToken, CancellationToken.None);
                Assert.Equal(ReserveOutcome.Reserved, result[0]);
            }

            await Task.Delay(50);
        }

        // One grant for all batches; a heavily loaded machine may delay an extension past the margin and renew once or twice.
        Assert.InRange(locks.Acquired, 1, 3);
        Assert.Equal(locks.Acquired, tokens.Distinct().Count());
        Assert.InRange(await LockSetsAsync() - setsBefore, 1, 3); // SET NX on the second lock node: one per grant
    }

    [Fact(Timeout = 60_000)]
    public async Task A_kept_token_that_a_newer_holder_superseded_is_rejected_by_the_reserve_script_and_never_reused()
    {
        var options = fixture.Options("lease3:");
        await using var providerA = RedisServersFixture.Provider(options);
        await using var providerB = RedisServersFixture.Provider(options);
        var leaseOptions = new PipelineOptions { LockLeaseIdle = TimeSpan.FromSeconds(10), LockLeaseMaxHold = TimeSpan.FromSeconds(10) };
        await using var leasesA = new LockLeases(providerA.GetRequiredService<IDistributedLockFactory>(), leaseOptions, TimeProvider.System, NullLogger.Instance);
        var locksB = providerB.GetRequiredService<IDistributedLockFactory>();
        var ledger = providerA.GetRequiredService<IBalanceLedger>();
        var user = "u" + Guid.NewGuid().ToString("N");
        var resource = "user:" + user;
        await ledger.ChargeAsync(user, 1_000, "initial", CancellationToken.None);

        long tokenA;
        await using (var lease = await leasesA.UseAsync(resource, CancellationToken.None))
        {
            tokenA = lease.FencingToken;
            Assert.Equal(ReserveOutcome.Reserved, (await ledger.ReserveAsync(user, [new Reservation(Guid.NewGuid(), 1)], tokenA, CancellationToken.None))[0]);
        }

        // A's keys vanish on every lock node while A still believes its grant valid (as after a node restart without
        // persistence plus a lapse); B takes the user with a newer token and reserves with it.
        foreach (var server in fixture.Servers)
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(server.Endpoint);
            await connection.GetDatabase().KeyDeleteAsync(options.KeyPrefix + "lock:{" + resource + "}");
        }

        await using (var grantB = await locksB.CreateLockAsync(resource, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), CancellationToken.None))
        {
            Assert.True(grantB.IsAcquired, grantB.Status.ToString());
            Assert.True(grantB.FencingToken > tokenA);
            Assert.Equal(ReserveOutcome.Reserved, (await ledger.ReserveAsync(user, [new Reservation(Guid.NewGuid(), 1)], grantB.FencingToken, CancellationToken.None))[0]);

            // A's next batch reuses its kept token: the reserve script refuses it, and A discards the grant.
            await using var stale = await leasesA.UseAsync(resource, CancellationToken.None);
            Assert.False(stale.IsNewGrant);
            Assert.Equal(tokenA, stale.FencingToken);
            var refused = await ledger.ReserveAsync(user, [new Reservation(Guid.NewGuid(), 1)], stale.FencingToken, CancellationToken.None);
            Assert.Equal(ReserveOutcome.StaleFencingToken, refused[0]);
            stale.Discard();
        }

        await using var fresh = await leasesA.UseAsync(resource, CancellationToken.None);
        Assert.True(fresh.IsNewGrant);
        Assert.True(fresh.FencingToken > tokenA);
        Assert.Equal(ReserveOutcome.Reserved, (await ledger.ReserveAsync(user, [new Reservation(Guid.NewGuid(), 1)], fresh.FencingToken, CancellationToken.None))[0]);
        var balance = await ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((997L, 3L), (balance.Available, balance.Reserved));
    }

    // SET calls on the second lock node (RedLock.net's SET NX PX; the ledger lives on the first).
    private async Task<long> LockSetsAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(fixture.Servers[1].Endpoint + ",allowAdmin=true");
        var info = await connection.GetServer(fixture.Servers[1].Endpoint).InfoAsync("commandstats");
        var set = info.SelectMany(g => g).FirstOrDefault(p => p.Key == "cmdstat_set").Value ?? "calls=0,";
        return long.Parse(set.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class CountingLocks(IDistributedLockFactory inner) : IDistributedLockFactory
    {
        private int _acquired;

        public int Acquired => Volatile.Read(ref _acquired);

        public async Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
        {
            var grant = await inner.CreateLockAsync(resource, expiry, wait, retry, cancellationToken);
            if (grant.IsAcquired)
            {
                Interlocked.Increment(ref _acquired);
            }

            return grant;
        }
    }
}
