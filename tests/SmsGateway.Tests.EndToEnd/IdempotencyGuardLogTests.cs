using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SmsGateway.Host.Api;
using SmsGateway.Idempotency;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>
/// An idempotency store that fails after the answer was given does not fail the request, but the failure is logged:
/// the key then stays "in progress" until its TTL, and an operator needs to see why repeats get 409.
/// </summary>
public sealed class IdempotencyGuardLogTests
{
    [Theory]
    [InlineData("completed")]
    [InlineData("released")]
    public async Task A_store_failure_after_the_answer_is_logged_not_thrown(string outcome)
    {
        var logger = new FakeLogger<IdempotencyGuard>();
        var guard = new IdempotencyGuard(new UnavailableStore(), TimeSpan.FromMinutes(5), logger);
        var claim = new IdempotencyGuard.Claim("k-log");

        if (outcome == "completed")
        {
            await guard.CompleteAsync(claim, 202, "{}");
        }
        else
        {
            await guard.ReleaseAsync(claim);
        }

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Equal(1202, record.Id.Id);
        Assert.Contains(outcome, record.Message, StringComparison.Ordinal);
        Assert.IsType<IdempotencyStoreUnavailableException>(record.Exception);
    }

    private sealed class UnavailableStore : IIdempotencyStore
    {
        public ValueTask<IdempotencyClaim> TryClaimAsync(string key, string fingerprint, TimeSpan ttl, CancellationToken cancellationToken) =>
            throw new IdempotencyStoreUnavailableException("down");

        public ValueTask CompleteAsync(string key, StoredResponse response, TimeSpan ttl, CancellationToken cancellationToken) =>
            throw new IdempotencyStoreUnavailableException("down");

        public ValueTask ReleaseAsync(string key, CancellationToken cancellationToken) =>
            throw new IdempotencyStoreUnavailableException("down");
    }
}
