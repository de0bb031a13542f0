using SmsGateway.Billing;

namespace SmsGateway.Tests.Unit;

public sealed class InMemoryBalanceLedgerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Reserve_capture_refund_keep_the_invariant_and_are_idempotent()
    {
        var ledger = new InMemoryBalanceLedger();
        await ledger.ChargeAsync("u", 1000, "c1", None);
        await ledger.ChargeAsync("u", 1000, "c1", None); // same charge id: once
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();

        var outcomes = await ledger.ReserveAsync("u", [new(a, 400), new(b, 400), new(c, 400)], 1, None);
        Assert.Equal([ReserveOutcome.Reserved, ReserveOutcome.Reserved, ReserveOutcome.InsufficientFunds], outcomes);
        Assert.Equal([ReserveOutcome.AlreadyReserved], await ledger.ReserveAsync("u", [new(a, 400)], 2, None));
        Assert.Equal(new Balance("u", 200, 800, 0), await ledger.GetBalanceAsync("u", None));

        Assert.Equal(SettleOutcome.Settled, await ledger.CaptureAsync("u", a, None));
        Assert.Equal(SettleOutcome.AlreadySettled, await ledger.CaptureAsync("u", a, None));
        Assert.Equal(SettleOutcome.SettledOtherwise, await ledger.RefundAsync("u", a, None));
        Assert.Equal(SettleOutcome.Settled, await ledger.RefundAsync("u", b, None));
        Assert.Equal(SettleOutcome.NotReserved, await ledger.RefundAsync("u", c, None));

        var balance = await ledger.GetBalanceAsync("u", None);
        Assert.Equal(new Balance("u", 600, 0, 400), balance);
        Assert.Equal(1000, balance.Charged);
    }

    [Fact]
    public async Task A_stale_fencing_token_changes_nothing()
    {
        var ledger = new InMemoryBalanceLedger();
        await ledger.ChargeAsync("u", 1000, "c1", None);
        await ledger.ReserveAsync("u", [new(Guid.NewGuid(), 100)], 5, None);
        var stale = await ledger.ReserveAsync("u", [new(Guid.NewGuid(), 100)], 4, None);
        Assert.Equal([ReserveOutcome.StaleFencingToken], stale);
        Assert.Equal(new Balance("u", 900, 100, 0), await ledger.GetBalanceAsync("u", None));
    }

    [Fact]
    public async Task Concurrent_reservations_never_overdraw()
    {
        var ledger = new InMemoryBalanceLedger();
        await ledger.ChargeAsync("u", 500, "c", None);
        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(async () =>
            (await ledger.ReserveAsync("u", [new(Guid.NewGuid(), 1)], 1, None))[0])));
        Assert.Equal(500, results.Count(r => r == ReserveOutcome.Reserved));
        Assert.Equal(new Balance("u", 0, 500, 0), await ledger.GetBalanceAsync("u", None));
    }

    [Fact]
    public async Task Charges_must_be_positive()
    {
        var ledger = new InMemoryBalanceLedger();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ledger.ChargeAsync("u", 0, "c", None));
    }
}
