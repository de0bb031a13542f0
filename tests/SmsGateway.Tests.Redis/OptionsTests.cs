using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Idempotency;
using SmsGateway.Locking;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        RedisOptions.Default.Validate();
        Assert.Equal(3, RedisOptions.Default.LockEndpoints.Count);
        Assert.Equal(500, RedisOptions.Default.OperationTimeoutMs);
    }

    [Theory]
    [InlineData("LedgerEndpoint")]
    [InlineData("LockEndpoints")]
    [InlineData("OperationTimeoutMs")]
    [InlineData("KeyPrefix")]
    [InlineData("LockNodeTimeoutMs")]
    public void Invalid_settings_are_named(string setting)
    {
        var bad = setting switch
        {
            "LedgerEndpoint" => RedisOptions.Default with { LedgerEndpoint = "localhost" },
            "LockEndpoints" => RedisOptions.Default with { LockEndpoints = ["127.0.0.1:1", "127.0.0.1:1"] },
            "OperationTimeoutMs" => RedisOptions.Default with { OperationTimeoutMs = 0 },
            "KeyPrefix" => RedisOptions.Default with { KeyPrefix = "a{b}" },
            _ => RedisOptions.Default with { LockNodeTimeoutMs = 1_500, LockTtlMs = 2_000 },
        };
        var ex = Assert.Throws<ArgumentException>(bad.Validate);
        Assert.Contains("Redis:" + setting, ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddRedisLedger(bad));
    }

    [Theory]
    [InlineData("127.0.0.1:6379", true)]
    [InlineData("redis-1:6380", true)]
    [InlineData("[::1]:6379", true)]
    [InlineData("redis-1", false)]
    [InlineData("redis-1:0", false)]
    [InlineData("redis-1:70000", false)]
    [InlineData("", false)]
    public void Endpoints_are_host_and_port(string endpoint, bool valid)
        => Assert.Equal(valid, RedisOptions.TryParseEndpoint(endpoint, out _, out _));

    [Fact(Timeout = 30_000)]
    public async Task Registration_replaces_existing_implementations_and_disposes_connections()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IBalanceLedger>(new PlaceholderLedger());
        services.AddRedisLedger(RedisOptions.Default with { LedgerEndpoint = "127.0.0.1:1", LockEndpoints = ["127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4"] });
        Assert.Single(services, d => d.ServiceType == typeof(IBalanceLedger));

        var provider = services.BuildServiceProvider();
        var ledger = provider.GetRequiredService<IBalanceLedger>();
        Assert.IsNotType<PlaceholderLedger>(ledger);
        Assert.IsAssignableFrom<IDistributedLockFactory>(provider.GetRequiredService<IDistributedLockFactory>());
        Assert.IsAssignableFrom<IIdempotencyStore>(provider.GetRequiredService<IIdempotencyStore>());

        // Nothing listens on port 1: the call fails with the contract's exception instead of hanging.
        await Assert.ThrowsAsync<LedgerUnavailableException>(async () => await ledger.GetBalanceAsync("u", CancellationToken.None));
        await using var grant = await provider.GetRequiredService<IDistributedLockFactory>().CreateLockAsync("r", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10), CancellationToken.None);
        Assert.Equal(DistributedLockStatus.NoQuorum, grant.Status);

        var dispose = provider.DisposeAsync().AsTask();
        await dispose.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class PlaceholderLedger : IBalanceLedger
    {
        public ValueTask<Balance> ChargeAsync(string userId, long amount, string chargeId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ReserveOutcome[]> ReserveAsync(string userId, IReadOnlyList<Reservation> reservations, long fencingToken, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<SettleOutcome> RefundAsync(string userId, Guid messageId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<Balance> GetBalanceAsync(string userId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ConfirmOutcome[]> ConfirmAsync(string userId, IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ReservationSweep> SweepExpiredAsync(TimeSpan confirmDeadline, int maxCount, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<BeginSendResult> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
