using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class LedgerTests(RedisServersFixture fixture) : LedgerTestBase(fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task Unknown_user_has_zero_balance()
    {
        var b = await Ledger.GetBalanceAsync(User(), CancellationToken.None);
        Assert.Equal((0L, 0L, 0L), (b.Available, b.Reserved, b.Spent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Charge_is_idempotent_by_charge_id()
    {
        var user = User();
        var first = await Ledger.ChargeAsync(user, 1_000, "c1", CancellationToken.None);
        var repeat = await Ledger.ChargeAsync(user, 1_000, "c1", CancellationToken.None);
        var second = await Ledger.ChargeAsync(user, 250, "c2", CancellationToken.None);

        Assert.Equal(1_000, first.Available);
        Assert.Equal(1_000, repeat.Available);
        Assert.Equal(1_250, second.Available);
        await AssertInvariantAsync(user, expectedCharged: 1_250);
    }

    [Fact(Timeout = 30_000)]
    public async Task Charge_rejects_non_positive_amounts()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Ledger.ChargeAsync(User(), 0, "c", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Ledger.ChargeAsync(User(), -5, "c", CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Reserve_batch_reserves_in_order_while_funds_last_and_is_idempotent()
    {
        var user = User();
        await Ledger.ChargeAsync(user, 100, "c", CancellationToken.None);
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var c = Guid.NewGuid();
        var d = Guid.NewGuid();

        // 40 + 50 fit; 30 does not (10 left); 10 fits exactly.
        var outcomes = await Ledger.ReserveAsync(user, [new(a, 40), new(b, 50), new(c, 30), new(d, 10)], 1, CancellationToken.None);
        Assert.Equal([ReserveOutcome.Reserved, ReserveOutcome.Reserved, ReserveOutcome.InsufficientFunds, ReserveOutcome.Reserved], outcomes);
        var balance = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((0L, 100L, 0L), (balance.Available, balance.Reserved, balance.Spent));

        // Repeating the batch changes nothing; the same id twice in one batch counts once.
        var e = Guid.NewGuid();
        await Ledger.ChargeAsync(user, 5, "c2", CancellationToken.None);
        var again = await Ledger.ReserveAsync(user, [new(a, 40), new(e, 5), new(e, 5)], 1, CancellationToken.None);
        Assert.Equal([ReserveOutcome.AlreadyReserved, ReserveOutcome.Reserved, ReserveOutcome.AlreadyReserved], again);
        await AssertInvariantAsync(user, expectedCharged: 105);
        balance = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((0L, 105L, 0L), (balance.Available, balance.Reserved, balance.Spent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Capture_and_refund_are_idempotent_and_exclusive()
    {
        var user = User();
        await Ledger.ChargeAsync(user, 100, "c", CancellationToken.None);
        var sent = Guid.NewGuid();
        var failed = Guid.NewGuid();
        await Ledger.ReserveAsync(user, [new(sent, 30), new(failed, 20)], 1, CancellationToken.None);

        Assert.Equal(SettleOutcome.Settled, await Ledger.CaptureAsync(user, sent, CancellationToken.None));
        Assert.Equal(SettleOutcome.AlreadySettled, await Ledger.CaptureAsync(user, sent, CancellationToken.None));
        Assert.Equal(SettleOutcome.SettledOtherwise, await Ledger.RefundAsync(user, sent, CancellationToken.None));

        Assert.Equal(SettleOutcome.Settled, await Ledger.RefundAsync(user, failed, CancellationToken.None));
        Assert.Equal(SettleOutcome.AlreadySettled, await Ledger.RefundAsync(user, failed, CancellationToken.None));
        Assert.Equal(SettleOutcome.SettledOtherwise, await Ledger.CaptureAsync(user, failed, CancellationToken.None));

        Assert.Equal(SettleOutcome.NotReserved, await Ledger.CaptureAsync(user, Guid.NewGuid(), CancellationToken.None));
        Assert.Equal(SettleOutcome.NotReserved, await Ledger.RefundAsync(user, Guid.NewGuid(), CancellationToken.None));

        // A settled message cannot be reserved again.
        Assert.Equal([ReserveOutcome.AlreadyReserved], await Ledger.ReserveAsync(user, [new(failed, 20)], 1, CancellationToken.None));

        var balance = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((70L, 0L, 30L), (balance.Available, balance.Reserved, balance.Spent));
        await AssertInvariantAsync(user, expectedCharged: 100);

        // The settled reservation expires after the configured window.
        var ttl = long.Parse(await RedisCli.RunAsync(Fixture.Servers[0].Port, "TTL", UserKey(user) + ":r:" + sent.ToString("N")), CultureInfo.InvariantCulture);
        Assert.InRange(ttl, Options.SettledReservationTtlSeconds - 60, Options.SettledReservationTtlSeconds);
    }

    [Fact(Timeout = 30_000)]
    public async Task Stale_fencing_token_rejects_the_whole_batch_and_newer_token_is_recorded()
    {
        var user = User();
        await Ledger.ChargeAsync(user, 100, "c", CancellationToken.None);
        Assert.Equal([ReserveOutcome.Reserved], await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), 10)], 50, CancellationToken.None));

        // Equal token (same holder, second batch) is fine.
        Assert.Equal([ReserveOutcome.Reserved], await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), 10)], 50, CancellationToken.None));

        // A newer token whose batch reserves nothing is still recorded...
        Assert.Equal([ReserveOutcome.InsufficientFunds], await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), 1_000)], 60, CancellationToken.None));

        // ...so the old holder (50) is now refused for every message, and nothing moves.
        var stale = await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), 10), new(Guid.NewGuid(), 10)], 50, CancellationToken.None);
        Assert.Equal([ReserveOutcome.StaleFencingToken, ReserveOutcome.StaleFencingToken], stale);
        var balance = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((80L, 20L, 0L), (balance.Available, balance.Reserved, balance.Spent));
        Assert.Equal("60", await RedisCli.RunAsync(Fixture.Servers[0].Port, "HGET", UserKey(user), "fence"));
        await AssertInvariantAsync(user, expectedCharged: 100);
    }

    [Fact(Timeout = 30_000)]
    public async Task No_field_goes_negative_and_bad_amounts_are_refused()
    {
        var user = User();
        await Ledger.ChargeAsync(user, 10, "c", CancellationToken.None);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), -1)], 1, CancellationToken.None));
        Assert.Equal([ReserveOutcome.InsufficientFunds], await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), 11)], 1, CancellationToken.None));
        Assert.Equal([ReserveOutcome.Reserved, ReserveOutcome.Reserved], await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), 10), new(Guid.NewGuid(), 0)], 1, CancellationToken.None));
        var balance = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((0L, 10L, 0L), (balance.Available, balance.Reserved, balance.Spent));
        await AssertInvariantAsync(user, expectedCharged: 10);
    }

    [Fact(Timeout = 30_000)]
    public async Task Random_operations_keep_the_invariant()
    {
        var user = User();
        var random = new Random(42);
        var ids = new List<Guid>();
        long charged = 0;
        for (var i = 0; i < 300; i++)
        {
            switch (random.Next(4))
            {
                case 0:
                    var amount = random.Next(1, 50);
                    charged += amount;
                    await Ledger.ChargeAsync(user, amount, "c" + i.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
                    break;
                case 1:
                    var batch = Enumerable.Range(0, random.Next(1, 5)).Select(_ => new Reservation(Guid.NewGuid(), random.Next(0, 30))).ToArray();
                    ids.AddRange(batch.Select(r => r.MessageId));
                    await Ledger.ReserveAsync(user, batch, i, CancellationToken.None);
                    break;
                case 2 when ids.Count > 0:
                    await Ledger.CaptureAsync(user, ids[random.Next(ids.Count)], CancellationToken.None);
                    break;
                case 3 when ids.Count > 0:
                    await Ledger.RefundAsync(user, ids[random.Next(ids.Count)], CancellationToken.None);
                    break;
            }

            var b = await Ledger.GetBalanceAsync(user, CancellationToken.None);
            Assert.True(b.Available >= 0 && b.Reserved >= 0 && b.Spent >= 0, $"negative field at step {i}: {b}");
            Assert.Equal(charged, b.Charged);
        }

        await AssertInvariantAsync(user, charged);
    }

    private string UserKey(string user) => Options.KeyPrefix + "ledger:{" + user + "}";

    private async Task AssertInvariantAsync(string user, long expectedCharged)
    {
        var b = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        var stored = long.Parse(await RedisCli.RunAsync(Fixture.Servers[0].Port, "HGET", UserKey(user), "charged"), CultureInfo.InvariantCulture);
        Assert.Equal(expectedCharged, stored);
        Assert.Equal(stored, b.Available + b.Reserved + b.Spent);
        Assert.True(b.Available >= 0 && b.Reserved >= 0 && b.Spent >= 0, b.ToString());
    }

    private static string User() => "u" + Guid.NewGuid().ToString("N");
}
