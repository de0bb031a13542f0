using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Idempotency;

namespace SmsGateway.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class IdempotencyStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private readonly ServiceProvider _provider;
    private readonly IIdempotencyStore _store;

    public IdempotencyStoreTests(RedisServersFixture fixture)
    {
        _provider = RedisServersFixture.Provider(fixture.Options());
        _store = _provider.GetRequiredService<IIdempotencyStore>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task First_request_wins_and_a_repeat_gets_its_answer()
    {
        var key = Key();
        Assert.Equal(IdempotencyState.Claimed, (await _store.TryClaimAsync(key, "fp1", Ttl, CancellationToken.None)).State);
        Assert.Equal(IdempotencyState.InProgress, (await _store.TryClaimAsync(key, "fp1", Ttl, CancellationToken.None)).State);
        Assert.Equal(IdempotencyState.Mismatch, (await _store.TryClaimAsync(key, "fp2", Ttl, CancellationToken.None)).State);

        var answer = new StoredResponse(202, "{\"id\":\"0190-ab\",\"status\":\"accepted\",\"text\":\"سلام\"}");
        await _store.CompleteAsync(key, answer, Ttl, CancellationToken.None);

        var repeat = await _store.TryClaimAsync(key, "fp1", Ttl, CancellationToken.None);
        Assert.Equal(IdempotencyState.Completed, repeat.State);
        Assert.Equal(answer, repeat.Response);
        Assert.Equal(IdempotencyState.Mismatch, (await _store.TryClaimAsync(key, "fp2", Ttl, CancellationToken.None)).State);

        // Releasing a completed key keeps its answer.
        await _store.ReleaseAsync(key, CancellationToken.None);
        Assert.Equal(IdempotencyState.Completed, (await _store.TryClaimAsync(key, "fp1", Ttl, CancellationToken.None)).State);
    }

    [Fact(Timeout = 30_000)]
    public async Task Released_claim_can_be_claimed_again()
    {
        var key = Key();
        Assert.Equal(IdempotencyState.Claimed, (await _store.TryClaimAsync(key, "fp1", Ttl, CancellationToken.None)).State);
        await _store.ReleaseAsync(key, CancellationToken.None);
        Assert.Equal(IdempotencyState.Claimed, (await _store.TryClaimAsync(key, "fp2", Ttl, CancellationToken.None)).State);
    }

    [Fact(Timeout = 30_000)]
    public async Task Key_is_forgotten_after_its_ttl()
    {
        var key = Key();
        Assert.Equal(IdempotencyState.Claimed, (await _store.TryClaimAsync(key, "fp1", TimeSpan.FromMilliseconds(200), CancellationToken.None)).State);
        await _store.CompleteAsync(key, new StoredResponse(200, "{}"), TimeSpan.FromMilliseconds(200), CancellationToken.None);
        await Task.Delay(400);
        Assert.Equal(IdempotencyState.Claimed, (await _store.TryClaimAsync(key, "fp2", Ttl, CancellationToken.None)).State);
    }

    [Fact(Timeout = 30_000)]
    public async Task Concurrent_claims_have_exactly_one_winner()
    {
        var key = Key();
        var claims = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _store.TryClaimAsync(key, "fp", Ttl, CancellationToken.None).AsTask()));
        Assert.Equal(1, claims.Count(c => c.State == IdempotencyState.Claimed));
        Assert.Equal(49, claims.Count(c => c.State == IdempotencyState.InProgress));
    }

    private static string Key() => "send:u1:" + Guid.NewGuid().ToString("N");
}
