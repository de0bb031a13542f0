using SmsGateway.Billing;

namespace SmsGateway.Tests.Unit;

/// <summary>Cancel and begin-send of the in-memory ledger: the same contract as the Redis scripts (ledger-cancel.lua, ledger-begin-send.lua).</summary>
public sealed class LedgerCancelTests
{
    private static async Task<(InMemoryBalanceLedger Ledger, Guid Id)> ReservedAsync()
    {
        var ledger = new InMemoryBalanceLedger();
        await ledger.ChargeAsync("u", 10_000, "c", CancellationToken.None);
        var id = Guid.CreateVersion7();
        Assert.Equal(ReserveOutcome.Reserved, (await ledger.ReserveAsync("u", [new Reservation(id, 1150)], 1, CancellationToken.None))[0]);
        return (ledger, id);
    }

    [Fact]
    public async Task Cancel_before_sending_refunds_once_and_then_nothing_is_sent()
    {
        var (ledger, id) = await ReservedAsync();
        Assert.Equal(CancelOutcome.Canceled, await ledger.CancelAsync("u", id, CancellationToken.None));
        Assert.Equal(new Balance("u", 10_000, 0, 0), await ledger.GetBalanceAsync("u", CancellationToken.None));
        Assert.Equal(CancelOutcome.AlreadySettled, await ledger.CancelAsync("u", id, CancellationToken.None));
        Assert.Equal(BeginSendOutcome.Refunded, (await ledger.BeginSendAsync("u", id, 1, CancellationToken.None)).Outcome);
        Assert.Equal(SettleOutcome.SettledOtherwise, await ledger.CaptureAsync("u", id, CancellationToken.None));
        Assert.Equal(new Balance("u", 10_000, 0, 0), await ledger.GetBalanceAsync("u", CancellationToken.None));
    }

    [Fact]
    public async Task Cancel_after_the_send_started_or_was_captured_changes_nothing()
    {
        var (ledger, id) = await ReservedAsync();
        Assert.Equal(BeginSendOutcome.Send, (await ledger.BeginSendAsync("u", id, 1, CancellationToken.None)).Outcome);
        Assert.Equal(BeginSendOutcome.AttemptStarted, (await ledger.BeginSendAsync("u", id, 1, CancellationToken.None)).Outcome);
        Assert.Equal(CancelOutcome.SendingStarted, await ledger.CancelAsync("u", id, CancellationToken.None));
        Assert.Equal(new Balance("u", 8_850, 1150, 0), await ledger.GetBalanceAsync("u", CancellationToken.None));
        Assert.Equal(BeginSendOutcome.Send, (await ledger.BeginSendAsync("u", id, 2, CancellationToken.None)).Outcome); // a retry
        Assert.Equal(SettleOutcome.Settled, await ledger.CaptureAsync("u", id, CancellationToken.None));
        Assert.Equal(CancelOutcome.SendingStarted, await ledger.CancelAsync("u", id, CancellationToken.None));
        Assert.Equal(BeginSendOutcome.AlreadyCaptured, (await ledger.BeginSendAsync("u", id, 3, CancellationToken.None)).Outcome);
        Assert.Equal(new Balance("u", 8_850, 0, 1150), await ledger.GetBalanceAsync("u", CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_reservations_are_neither_canceled_nor_sent()
    {
        var ledger = new InMemoryBalanceLedger();
        Assert.Equal(CancelOutcome.NotReserved, await ledger.CancelAsync("nobody", Guid.CreateVersion7(), CancellationToken.None));
        Assert.Equal(BeginSendOutcome.NotReserved, (await ledger.BeginSendAsync("nobody", Guid.CreateVersion7(), 1, CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task A_cancel_racing_begin_send_has_exactly_one_winner()
    {
        for (int i = 0; i < 500; i++)
        {
            var (ledger, id) = await ReservedAsync();
            var cancel = Task.Run(async () => await ledger.CancelAsync("u", id, CancellationToken.None));
            var begin = Task.Run(async () => (await ledger.BeginSendAsync("u", id, 1, CancellationToken.None)).Outcome);
            var (c, b) = (await cancel, await begin);
            Assert.True((c == CancelOutcome.Canceled) ^ (b == BeginSendOutcome.Send), $"cancel {c}, begin-send {b}");
            var balance = await ledger.GetBalanceAsync("u", CancellationToken.None);
            Assert.Equal(c == CancelOutcome.Canceled ? 0 : 1150, balance.Reserved);
            Assert.Equal(10_000, balance.Charged);
        }
    }
}
