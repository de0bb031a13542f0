using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Redis;
using SmsGateway.Testing;

namespace SmsGateway.Tests.Redis;

/// <summary>The ledger-begin-send.lua script and capture with the operator id, on a real Redis (idempotent dispatch).</summary>
[Collection(RedisCollection.Name)]
public sealed class BeginSendTests : IAsyncLifetime
{
    private readonly RedisServersFixture _fixture;
    private readonly RedisOptions _options;
    private readonly ServiceProvider _provider;
    private readonly IBalanceLedger _ledger;

    public BeginSendTests(RedisServersFixture fixture)
    {
        _fixture = fixture;
        _options = fixture.Options();
        _provider = RedisServersFixture.Provider(_options);
        _ledger = _provider.GetRequiredService<IBalanceLedger>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task Begin_send_records_the_attempt_once_and_reports_every_settled_state()
    {
        var user = "u" + Guid.NewGuid().ToString("N");
        Guid sent = Guid.NewGuid(), refunded = Guid.NewGuid();
        await _ledger.ChargeAsync(user, 1_000, "c", CancellationToken.None);
        await _ledger.ReserveAsync(user, [new(sent, 30), new(refunded, 20)], 1, CancellationToken.None);

        Assert.Equal(new BeginSendResult(BeginSendOutcome.Send), await _ledger.BeginSendAsync(user, sent, 1, CancellationToken.None));
        Assert.Equal("1", await Field(user, sent, "n"));
        Assert.Equal("1", await Field(user, sent, "k"));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AttemptStarted), await _ledger.BeginSendAsync(user, sent, 1, CancellationToken.None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.Send), await _ledger.BeginSendAsync(user, sent, 2, CancellationToken.None));
        Assert.Equal("2", await Field(user, sent, "n"));

        Assert.Equal(SettleOutcome.Settled, await _ledger.CaptureAsync(user, sent, "smsc-77", CancellationToken.None));
        Assert.Equal("smsc-77", await Field(user, sent, "o"));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AlreadyCaptured, "smsc-77"), await _ledger.BeginSendAsync(user, sent, 2, CancellationToken.None));
        Assert.Equal(SettleOutcome.AlreadySettled, await _ledger.CaptureAsync(user, sent, "smsc-78", CancellationToken.None));
        Assert.Equal("smsc-77", await Field(user, sent, "o"));

        Assert.Equal(SettleOutcome.Settled, await _ledger.RefundAsync(user, refunded, CancellationToken.None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.Refunded), await _ledger.BeginSendAsync(user, refunded, 1, CancellationToken.None));
        Assert.Equal(string.Empty, await Field(user, refunded, "n")); // a refunded message is never marked as sending
        Assert.Equal(SettleOutcome.SettledOtherwise, await _ledger.CaptureAsync(user, refunded, "smsc-79", CancellationToken.None));
        Assert.Equal(new BeginSendResult(BeginSendOutcome.NotReserved), await _ledger.BeginSendAsync(user, Guid.NewGuid(), 1, CancellationToken.None));

        var balance = await _ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((970L, 0L, 30L), (balance.Available, balance.Reserved, balance.Spent)); // begin-send moves no money
    }

    private async Task<string> Field(string user, Guid message, string field) =>
        (await RedisCli.RunAsync(_fixture.Servers[0].Port, "HGET", _options.KeyPrefix + "ledger:{" + user + "}:r:" + message.ToString("N"), field)).Trim();
}
