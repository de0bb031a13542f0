using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Access;
using SmsGateway.Host.Access;
using SmsGateway.Host.Accounts;
using Xunit;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>
/// API-key and limit lookups while the access store fails (README "Store outages on the accept path"): a key seen before
/// keeps authenticating, an unseen one is refused as unavailable (503), a revocation through this process shows at once.
/// </summary>
public sealed class CachedAccessStoreTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMilliseconds(50);

    // A store read runs on the thread pool; at the start of a parallel test run the pool can take longer than the
    // product's 500 ms to start it, and these tests are about what is served, not about that bound.
    private static readonly StoreCacheOptions Timings = new() { Ttl = Ttl, ColdWait = TimeSpan.FromSeconds(10) };

    [Fact(Timeout = 20_000)]
    public async Task A_key_seen_before_is_served_while_the_store_fails_and_an_unseen_one_is_refused_as_unavailable()
    {
        var inner = new SwitchableAccessStore();
        await inner.AddKeyAsync(Key("k1", "u1"), CancellationToken.None);
        await inner.SetLimitsAsync("u1", new AccountLimits(5, null, null), CancellationToken.None);
        var cache = new CachedAccessStore(inner, Timings, NullLogger.Instance);
        Assert.Equal("u1", (await cache.FindKeyAsync("k1", CancellationToken.None))!.UserId);
        Assert.Null(await cache.FindKeyAsync("missing", CancellationToken.None)); // an absence is held too
        Assert.Equal(5, (await cache.GetLimitsAsync("u1", CancellationToken.None))!.RequestsPerSecond);

        inner.Down = true;
        await Task.Delay(Ttl * 3); // every copy is past its fresh time

        Assert.Equal("u1", (await cache.FindKeyAsync("k1", CancellationToken.None))!.UserId);
        Assert.Null(await cache.FindKeyAsync("missing", CancellationToken.None));
        Assert.Equal(5, (await cache.GetLimitsAsync("u1", CancellationToken.None))!.RequestsPerSecond);
        await Assert.ThrowsAsync<AccessStoreUnavailableException>(() => cache.FindKeyAsync("k2", CancellationToken.None));
        await Assert.ThrowsAsync<AccessStoreUnavailableException>(() => cache.FindKeyAsync("k2", CancellationToken.None)); // within the retry interval
        await Assert.ThrowsAsync<AccessStoreUnavailableException>(() => cache.GetLimitsAsync("u2", CancellationToken.None));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_revocation_through_this_process_shows_at_once_and_one_through_another_within_the_fresh_time()
    {
        var inner = new SwitchableAccessStore();
        await inner.AddKeyAsync(Key("k1", "u1"), CancellationToken.None);
        await inner.AddKeyAsync(Key("k2", "u1"), CancellationToken.None);
        var cache = new CachedAccessStore(inner, Timings, NullLogger.Instance);
        Assert.Null((await cache.FindKeyAsync("k1", CancellationToken.None))!.RevokedAt);
        Assert.Null((await cache.FindKeyAsync("k2", CancellationToken.None))!.RevokedAt);

        Assert.True(await cache.RevokeKeyAsync("u1", "k1", DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.NotNull((await cache.FindKeyAsync("k1", CancellationToken.None))!.RevokedAt);

        await inner.RevokeKeyAsync("u1", "k2", DateTimeOffset.UtcNow, CancellationToken.None); // as another gateway does
        await Task.Delay(Ttl * 3);
        Assert.NotNull((await cache.FindKeyAsync("k2", CancellationToken.None))!.RevokedAt); // the refresh is waited for
    }

    private static ApiKeyRecord Key(string id, string user) => new(id, user, new byte[32], DateTimeOffset.UtcNow, null);

    /// <summary>The in-memory access store that can be switched to fail every call, as PostgreSQL does when it is stopped.</summary>
    private sealed class SwitchableAccessStore : IAccessStore
    {
        private readonly InMemoryAccessStore _inner = new();

        public volatile bool Down;

        public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) => Call(() => _inner.AddKeyAsync(key, cancellationToken));

        public Task<ApiKeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken) => Call(() => _inner.FindKeyAsync(keyId, cancellationToken));

        public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string userId, CancellationToken cancellationToken) => Call(() => _inner.ListKeysAsync(userId, cancellationToken));

        public Task<bool> RevokeKeyAsync(string userId, string keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
            Call(() => _inner.RevokeKeyAsync(userId, keyId, at, cancellationToken));

        public Task<AccountLimits?> GetLimitsAsync(string userId, CancellationToken cancellationToken) => Call(() => _inner.GetLimitsAsync(userId, cancellationToken));

        public Task SetLimitsAsync(string userId, AccountLimits limits, CancellationToken cancellationToken) => Call(() => _inner.SetLimitsAsync(userId, limits, cancellationToken));

        private Task<T> Call<T>(Func<Task<T>> call) => Down ? Task.FromException<T>(new AccessStoreUnavailableException("store stopped")) : call();

        private Task Call(Func<Task> call) => Down ? Task.FromException(new AccessStoreUnavailableException("store stopped")) : call();
    }
}
