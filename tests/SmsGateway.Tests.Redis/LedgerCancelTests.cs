using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

/// <summary>ledger-cancel.lua and ledger-begin-send.lua on a real Redis: one winner between cancel and begin-send.</summary>
[Collection(RedisCollection.Name)]
public sealed class LedgerCancelTests(RedisServersFixture fixture) : LedgerTestBase(fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task Cancel_refunds_only_an_open_reservation_whose_send_has_not_started()
    {
        var user = "u" + Guid.NewGuid().ToString("N");
        await Ledger.ChargeAsync(user, 10_000, "c", CancellationToken.None);
        Guid open = Guid.CreateVersion7(), started = Guid.CreateVersion7();
        await Ledger.ReserveAsync(user, [new Reservation(open, 1150), new Reservation(started, 1000)], 1, CancellationToken.None);

        Assert.Equal(BeginSendOutcome.Send, (await Ledger.BeginSendAsync(user, started, 1, CancellationToken.None)).Outcome);
        Assert.Equal(BeginSendOutcome.AttemptStarted, (await Ledger.BeginSendAsync(user, started, 1, CancellationToken.None)).Outcome);
        Assert.Equal(CancelOutcome.SendingStarted, await Ledger.CancelAsync(user, started, CancellationToken.None));
        Assert.Equal(CancelOutcome.Canceled, await Ledger.CancelAsync(user, open, CancellationToken.None));
        Assert.Equal(CancelOutcome.AlreadySettled, await Ledger.CancelAsync(user, open, CancellationToken.None));
        Assert.Equal(BeginSendOutcome.Refunded, (await Ledger.BeginSendAsync(user, open, 1, CancellationToken.None)).Outcome);
        Assert.Equal(CancelOutcome.NotReserved, await Ledger.CancelAsync(user, Guid.CreateVersion7(), CancellationToken.None));
        Assert.Equal(new Balance(user, 9_000, 1000, 0), await Ledger.GetBalanceAsync(user, CancellationToken.None));

        Assert.Equal(SettleOutcome.Settled, await Ledger.CaptureAsync(user, started, CancellationToken.None));
        Assert.Equal(BeginSendOutcome.AlreadyCaptured, (await Ledger.BeginSendAsync(user, started, 2, CancellationToken.None)).Outcome);
        Assert.Equal(CancelOutcome.SendingStarted, await Ledger.CancelAsync(user, started, CancellationToken.None));
        Assert.Equal(new Balance(user, 9_000, 0, 1000), await Ledger.GetBalanceAsync(user, CancellationToken.None));
        var fields = await RedisCli.RunAsync(Fixture.Servers[0].Port, "HGETALL", Options.KeyPrefix + "ledger:{" + user + "}:r:" + started.ToString("N"));
        Assert.Contains("n", fields.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancels_racing_begin_sends_have_exactly_one_winner_each()
    {
        var user = "u" + Guid.NewGuid().ToString("N");
        await Ledger.ChargeAsync(user, 1_000_000, "c", CancellationToken.None);
        var ids = Enumerable.Range(0, 300).Select(_ => Guid.CreateVersion7()).ToArray();
        await Ledger.ReserveAsync(user, [.. ids.Select(id => new Reservation(id, 100))], 1, CancellationToken.None);

        var races = await Task.WhenAll(ids.Select(async id =>
        {
            var cancel = Task.Run(async () => await Ledger.CancelAsync(user, id, CancellationToken.None));
            var begin = Task.Run(async () => (await Ledger.BeginSendAsync(user, id, 1, CancellationToken.None)).Outcome);
            return (await cancel, await begin);
        }));

        Assert.All(races, r => Assert.True((r.Item1 == CancelOutcome.Canceled) ^ (r.Item2 == BeginSendOutcome.Send), r.ToString()));
        long canceled = races.Count(r => r.Item1 == CancelOutcome.Canceled);
        var balance = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((ids.Length - canceled) * 100, balance.Reserved);
        Assert.Equal(1_000_000, balance.Charged);
    }
}
