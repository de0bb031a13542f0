using Microsoft.Extensions.Time.Testing;
using SmsGateway.Billing;

namespace SmsGateway.Tests.Unit;

/// <summary>The in-memory ledger forgets settled reservations past its retention or per-user maximum, never held ones.</summary>
public sealed class LedgerRetentionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Settled_reservations_are_forgotten_after_the_retention_and_held_ones_are_kept()
    {
        var time = new FakeTimeProvider();
        var ledger = new InMemoryBalanceLedger(time, TimeSpan.FromMinutes(10));
        await ledger.ChargeAsync("u", 10_000, "c", None);
        Guid captured = Guid.NewGuid(), refunded = Guid.NewGuid(), held = Guid.NewGuid(), later = Guid.NewGuid();
        await ledger.ReserveAsync("u", [new(captured, 100), new(refunded, 200), new(held, 300), new(later, 400)], 1, None);
        await ledger.BeginSendAsync("u", captured, 1, None);
        await ledger.CaptureAsync("u", captured, "op-1", None);
        await ledger.RefundAsync("u", refunded, None);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(BeginSendOutcome.AlreadyCaptured, (await ledger.BeginSendAsync("u", captured, 1, None)).Outcome); // still known

        time.Advance(TimeSpan.FromMinutes(2));
        await ledger.CaptureAsync("u", later, null, None); // the next settle of the user forgets those past 10 min
        Assert.Equal(2, ledger.RememberedReservations("u")); // the held one and the one just captured
        Assert.Equal(BeginSendOutcome.NotReserved, (await ledger.BeginSendAsync("u", captured, 1, None)).Outcome);
        Assert.Equal(BeginSendOutcome.NotReserved, (await ledger.BeginSendAsync("u", refunded, 1, None)).Outcome);
        Assert.Equal(BeginSendOutcome.Send, (await ledger.BeginSendAsync("u", held, 1, None)).Outcome); // held: never forgotten
        Assert.Equal(BeginSendOutcome.AlreadyCaptured, (await ledger.BeginSendAsync("u", later, 1, None)).Outcome);
        var balance = await ledger.GetBalanceAsync("u", None);
        Assert.Equal((9_200L, 300L, 500L), (balance.Available, balance.Reserved, balance.Spent)); // forgetting moves no money
    }

    [Fact]
    public async Task At_most_the_newest_settled_reservations_per_user_are_remembered()
    {
        var ledger = new InMemoryBalanceLedger(maxSettledPerUser: 3);
        await ledger.ChargeAsync("u", 10_000, "c", None);
        var ids = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        await ledger.ReserveAsync("u", ids.Select(id => new Reservation(id, 10)).ToArray(), 1, None);
        foreach (var id in ids)
        {
            await ledger.CaptureAsync("u", id, null, None);
        }

        Assert.Equal(3, ledger.RememberedReservations("u"));
        Assert.Equal(SettleOutcome.AlreadySettled, await ledger.CaptureAsync("u", ids[^1], null, None));
        Assert.Equal(SettleOutcome.NotReserved, await ledger.CaptureAsync("u", ids[0], null, None));
        Assert.Equal(100L, (await ledger.GetBalanceAsync("u", None)).Spent);
    }
}
