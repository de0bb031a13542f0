using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Redis;
using SmsGateway.Testing;

namespace SmsGateway.Tests.Redis;

/// <summary>The ledger-begin-send.lua script and capture with the operator id, on a real Redis (idempotent dispatch).</summary>
[Collection(RedisCollection.Name)]
public sealed class BeginSendTests(RedisServersFixture fixture) : LedgerTestBase(fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task Begin_send_records_the_attempt_once_and_reports_every_settled_state()
    {
        var user = "u" + Guid.NewGuid().ToString("N");
        Guid sent = Guid.NewGuid(), refunded = Guid.NewGuid();
        await Ledger.ChargeAsync(user, 1_000, "c", CancellationToken.None);
        await Ledger.ReserveAsync(user, [new(sent, 30), new(refunded, 20)], 1, CancellationToken.None);

        Assert.Equal(new BeginSendResult(BeginSendOutcome.Send), await Ledger.BeginSendAsync(user, sent, 1, CancellationToken.None));
        Assert.Equal("1", await Field(user, sent, "n"));
        Assert.Equal("1", await Field(user, sent, "k"));
        var startedAt = long.Parse(await Field(user, sent, "t"), CultureInfo.InvariantCulture); // the server's clock, Unix ms
        Assert.InRange(startedAt, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
        await Task.Delay(50);
        var again = await Ledger.BeginSendAsync(user, sent, 1, CancellationToken.None);
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AttemptStarted, null, 1), again with { StartedAgo = null });
        Assert.InRange(again.StartedAgo!.Value.TotalMilliseconds, 40, 10_000); // how long ago attempt 1 started
        await RedisCli.RunAsync(Fixture.Servers[0].Port, "HDEL", Options.KeyPrefix + "ledger:{" + user + "}:r:" + sent.ToString("N"), "t");
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AttemptStarted, null, 1), await Ledger.BeginSendAsync(user, sent, 1, CancellationToken.None)); // started by a version without t: age unknown
        Assert.Equal(new BeginSendResult(BeginSendOutcome.Send, null, 1), await Ledger.BeginSendAsync(user, sent, 2, CancellationToken.None));
        Assert.Equal("2", await Field(user, sent, "n"));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.Superseded, null, 2), await Ledger.BeginSendAsync(user, sent, 1, CancellationToken.None));
        Assert.Equal("2", await Field(user, sent, "n")); // a stale attempt never moves the mark back

        Assert.Equal(SettleOutcome.Settled, await Ledger.CaptureAsync(user, sent, "smsc-77", CancellationToken.None));
        Assert.Equal("smsc-77", await Field(user, sent, "o"));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AlreadyCaptured, "smsc-77", 2), await Ledger.BeginSendAsync(user, sent, 2, CancellationToken.None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.Superseded, null, 2), await Ledger.BeginSendAsync(user, sent, 1, CancellationToken.None));
        Assert.Equal(SettleOutcome.AlreadySettled, await Ledger.CaptureAsync(user, sent, "smsc-78", CancellationToken.None));
        Assert.Equal("smsc-77", await Field(user, sent, "o"));

        Assert.Equal(SettleOutcome.Settled, await Ledger.RefundAsync(user, refunded, CancellationToken.None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.Refunded), await Ledger.BeginSendAsync(user, refunded, 1, CancellationToken.None));
        Assert.Equal(string.Empty, await Field(user, refunded, "n")); // a refunded message is never marked as sending
        Assert.Equal(SettleOutcome.SettledOtherwise, await Ledger.CaptureAsync(user, refunded, "smsc-79", CancellationToken.None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.NotReserved), await Ledger.BeginSendAsync(user, Guid.NewGuid(), 1, CancellationToken.None));

        var balance = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((970L, 0L, 30L), (balance.Available, balance.Reserved, balance.Spent)); // begin-send moves no money
    }

    private async Task<string> Field(string user, Guid message, string field) =>
        (await RedisCli.RunAsync(Fixture.Servers[0].Port, "HGET", Options.KeyPrefix + "ledger:{" + user + "}:r:" + message.ToString("N"), field)).Trim();
}
