using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Locking;

namespace SmsGateway.Tests.Redis;

/// <summary>The acceptance test at the lock + ledger level (what the accept stage does per send).</summary>
[Collection(RedisCollection.Name)]
public sealed class ConcurrentReservationTests(RedisServersFixture fixture)
{
    [Fact(Timeout = 120_000)]
    public async Task Thousand_concurrent_reservations_for_a_balance_covering_500_reserve_exactly_500()
    {
        // Two gateway instances (own connections each), as two processes would be.
        await using var gatewayA = RedisServersFixture.Provider(fixture.Options("conc:"));
        await using var gatewayB = RedisServersFixture.Provider(fixture.Options("conc:"));
        var user = "u" + Guid.NewGuid().ToString("N");
        await gatewayA.GetRequiredService<IBalanceLedger>().ChargeAsync(user, 500 * 12, "initial", CancellationToken.None);
        var outcomes = new ConcurrentBag<ReserveOutcome>();
        var lockFailures = new ConcurrentBag<DistributedLockStatus>();
        var tokens = new ConcurrentBag<long>();

        async Task SendAsync(int i)
        {
            var provider = i % 2 == 0 ? gatewayA : gatewayB;
            var locks = provider.GetRequiredService<IDistributedLockFactory>();
            var ledger = provider.GetRequiredService<IBalanceLedger>();
            await using var grant = await locks.CreateLockAsync("user:" + user, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(20), CancellationToken.None);
            if (!grant.IsAcquired)
            {
                lockFailures.Add(grant.Status);
                return;
            }

            tokens.Add(grant.FencingToken);
            var result = await ledger.ReserveAsync(user, [new Reservation(Guid.NewGuid(), 12)], grant.FencingToken, CancellationToken.None);
            outcomes.Add(result[0]);
        }

        await Task.WhenAll(Enumerable.Range(0, 1_000).Select(i => Task.Run(() => SendAsync(i))));

        Assert.Empty(lockFailures);
        Assert.Equal(1_000, outcomes.Count);
        Assert.Equal(500, outcomes.Count(o => o == ReserveOutcome.Reserved));
        Assert.Equal(500, outcomes.Count(o => o == ReserveOutcome.InsufficientFunds));
        Assert.Equal(1_000, tokens.Distinct().Count());
        var balance = await gatewayB.GetRequiredService<IBalanceLedger>().GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((0L, 6_000L, 0L), (balance.Available, balance.Reserved, balance.Spent));
        Assert.Equal(6_000, balance.Charged);
    }
}
