using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

/// <summary>
/// Reservations whose outcome is unknown on the Redis ledger (Scripts/ledger-confirm.lua, ledger-sweep-due.lua, ledger-sweep.lua):
/// the pending index, confirm, settle and the expiry sweep, with a short deadline on the real server clock.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ReservationExpiryTests(RedisServersFixture fixture) : LedgerTestBase(fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(300);
    [Fact(Timeout = 30_000)]
    public async Task Unconfirmed_reservation_is_refunded_after_the_deadline_and_the_invariant_holds()
    {
        var user = User();
        await Ledger.ChargeAsync(user, 1_000, "c", CancellationToken.None);
        var lost = Guid.NewGuid();
        await Ledger.ReserveAsync(user, [new(lost, 400)], 1, CancellationToken.None);

        // The reserve wrote t (the server's clock, ms) and the pending entry scored by it.
        var t = long.Parse(await Cli("HGET", ReservationKey(user, lost), "t"), CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds(t), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(t.ToString(CultureInfo.InvariantCulture), await Cli("ZSCORE", PendingKey, Member(user, lost)));

        // Not yet due: a sweep with a long deadline leaves it alone.
        var early = await Ledger.SweepExpiredAsync(TimeSpan.FromMinutes(5), 100, CancellationToken.None);
        Assert.Equal(0, early.Examined);
        Assert.Equal(400, (await Ledger.GetBalanceAsync(user, CancellationToken.None)).Reserved);

        await Task.Delay(Deadline + TimeSpan.FromMilliseconds(100));
        var sweep = await Ledger.SweepExpiredAsync(Deadline, 100, CancellationToken.None);
        var refunded = Assert.Single(sweep.Refunded);
        Assert.Equal((user, lost, 400L, t), (refunded.UserId, refunded.MessageId, refunded.Amount, refunded.ReservedAt.ToUnixTimeMilliseconds()));
        await AssertBalanceAsync(user, available: 1_000, reserved: 0, spent: 0);
        Assert.Equal(string.Empty, await Cli("ZSCORE", PendingKey, Member(user, lost)));
        Assert.Equal("F", await Cli("HGET", ReservationKey(user, lost), "s"));

        // Settled for everyone else; a confirm that comes too late is told so.
        Assert.Equal(SettleOutcome.SettledOtherwise, await Ledger.CaptureAsync(user, lost, CancellationToken.None));
        Assert.Equal([ConfirmOutcome.Expired], await Ledger.ConfirmAsync(user, [lost], CancellationToken.None));
        Assert.Empty((await Ledger.SweepExpiredAsync(Deadline, 100, CancellationToken.None)).Refunded);
        await AssertBalanceAsync(user, available: 1_000, reserved: 0, spent: 0);
    }

    [Fact(Timeout = 30_000)]
    public async Task Confirmed_or_sending_reservations_are_never_swept()
    {
        var user = User();
        await Ledger.ChargeAsync(user, 1_000, "c", CancellationToken.None);
        Guid stored = Guid.NewGuid(), sending = Guid.NewGuid();
        await Ledger.ReserveAsync(user, [new(stored, 100), new(sending, 200)], 1, CancellationToken.None);

        Assert.Equal([ConfirmOutcome.Confirmed, ConfirmOutcome.NotReserved], await Ledger.ConfirmAsync(user, [stored, Guid.NewGuid()], CancellationToken.None));
        Assert.Equal("1", await Cli("HGET", ReservationKey(user, stored), "k"));
        Assert.Equal(string.Empty, await Cli("ZSCORE", PendingKey, Member(user, stored)));

        // The dispatch begin-send's attempt number (field n) without a confirm: its send has started, so no refund.
        await Cli("HSET", ReservationKey(user, sending), "n", "1");

        await Task.Delay(Deadline + TimeSpan.FromMilliseconds(100));
        var sweep = await Ledger.SweepExpiredAsync(Deadline, 100, CancellationToken.None);
        Assert.Empty(sweep.Refunded);
        Assert.Equal(1, sweep.Examined); // the sending one left the index, unrefunded
        Assert.Equal("0", await Cli("ZCARD", PendingKey));
        await AssertBalanceAsync(user, available: 700, reserved: 300, spent: 0);

        Assert.Equal(SettleOutcome.Settled, await Ledger.CaptureAsync(user, stored, CancellationToken.None));
        Assert.Equal(SettleOutcome.Settled, await Ledger.CaptureAsync(user, sending, CancellationToken.None));
        await AssertBalanceAsync(user, available: 700, reserved: 0, spent: 300);
    }

    [Fact(Timeout = 30_000)]
    public async Task Capture_and_refund_remove_the_pending_entry()
    {
        var user = User();
        await Ledger.ChargeAsync(user, 1_000, "c", CancellationToken.None);
        Guid sent = Guid.NewGuid(), failed = Guid.NewGuid();
        await Ledger.ReserveAsync(user, [new(sent, 30), new(failed, 20)], 1, CancellationToken.None);
        Assert.Equal("2", await Cli("ZCARD", PendingKey));

        Assert.Equal(SettleOutcome.Settled, await Ledger.CaptureAsync(user, sent, CancellationToken.None));
        Assert.Equal(SettleOutcome.Settled, await Ledger.RefundAsync(user, failed, CancellationToken.None));
        Assert.Equal("0", await Cli("ZCARD", PendingKey));

        await Task.Delay(Deadline + TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, (await Ledger.SweepExpiredAsync(Deadline, 100, CancellationToken.None)).Examined);
        await AssertBalanceAsync(user, available: 970, reserved: 0, spent: 30);
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_gateways_sweeping_at_once_refund_each_reservation_once()
    {
        const int users = 4, perUser = 150;
        var expected = new Dictionary<string, long>();
        for (var u = 0; u < users; u++)
        {
            var user = User();
            await Ledger.ChargeAsync(user, 1_000_000, "c", CancellationToken.None);
            var batch = Enumerable.Range(0, perUser).Select(i => new Reservation(Guid.NewGuid(), i + 1)).ToArray();
            await Ledger.ReserveAsync(user, batch, 1, CancellationToken.None);
            expected[user] = batch.Sum(r => r.Amount);
        }

        await Task.Delay(Deadline + TimeSpan.FromMilliseconds(100));

        // A second process: its own connection, same ledger and key prefix.
        await using var other = RedisServersFixture.Provider(Options);
        var ledgers = new[] { Ledger, other.GetRequiredService<IBalanceLedger>() };
        var refunded = new ConcurrentBag<ExpiredReservation>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            while (true)
            {
                var sweep = await ledgers[i % 2].SweepExpiredAsync(Deadline, 40, CancellationToken.None);
                foreach (var r in sweep.Refunded)
                {
                    refunded.Add(r);
                }

                if (sweep.Examined < 40)
                {
                    return;
                }
            }
        })));

        Assert.Equal(users * perUser, refunded.Count);
        Assert.Equal(users * perUser, refunded.Select(r => r.MessageId).Distinct().Count());
        foreach (var (user, amount) in expected)
        {
            Assert.Equal(amount, refunded.Where(r => r.UserId == user).Sum(r => r.Amount));
            await AssertBalanceAsync(user, available: 1_000_000, reserved: 0, spent: 0);
        }

        Assert.Equal("0", await Cli("ZCARD", PendingKey));
    }

    [Fact(Timeout = 30_000)]
    public async Task Confirm_of_a_large_batch_spans_several_script_calls()
    {
        var user = User();
        await Ledger.ChargeAsync(user, 1_000_000, "c", CancellationToken.None);
        var ids = Enumerable.Range(0, 2_500).Select(_ => Guid.NewGuid()).ToArray();
        await Ledger.ReserveAsync(user, ids.Select(id => new Reservation(id, 1)).ToArray(), 1, CancellationToken.None);
        Assert.Equal("2500", await Cli("ZCARD", PendingKey));

        var outcomes = await Ledger.ConfirmAsync(user, ids, CancellationToken.None);
        Assert.All(outcomes, o => Assert.Equal(ConfirmOutcome.Confirmed, o));
        Assert.Equal("0", await Cli("ZCARD", PendingKey));
    }

    private string UserKey(string user) => Options.KeyPrefix + "ledger:{" + user + "}";

    private string ReservationKey(string user, Guid id) => UserKey(user) + ":r:" + id.ToString("N");

    private string PendingKey => Options.KeyPrefix + "ledger:pending";

    private static string Member(string user, Guid id) => user + "|" + id.ToString("N");

    private Task<string> Cli(params string[] args) => RedisCli.RunAsync(Fixture.Servers[0].Port, args);

    private async Task AssertBalanceAsync(string user, long available, long reserved, long spent)
    {
        var b = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((available, reserved, spent), (b.Available, b.Reserved, b.Spent));
        var charged = long.Parse(await Cli("HGET", UserKey(user), "charged"), CultureInfo.InvariantCulture);
        Assert.Equal(charged, b.Available + b.Reserved + b.Spent);
    }

    private static string User() => "u" + Guid.NewGuid().ToString("N");
}
