using Microsoft.Extensions.Logging;
using SmsGateway.Access;
using SmsGateway.Host.Accounts;
using SmsGateway.Status;

namespace SmsGateway.Host.Access;

/// <summary>
/// Keeps looked-up keys and limit overrides (found or not) in a <see cref="RevalidatingCache{TKey,TValue}"/>, so the accept
/// path does not pay a database round trip per request and a PostgreSQL outage does not lock out callers it has seen
/// (README "Store outages on the accept path"): a copy younger than <see cref="AuthOptions.KeyCacheMs"/> is served as it
/// is, so a revocation made on another gateway takes effect here within that time while the store answers; past it, the
/// refresh is waited for at most <see cref="StoreCacheOptions.ColdWait"/> (500 ms by default), then the held copy (at most
/// 1 h old) is served, at once for 1 s after a failed read. A key never seen, with the store down, is refused
/// (<see cref="AccessStoreUnavailableException"/>: 503, nothing charged). Writes go to the store and drop this process's
/// copy at once.
/// </summary>
/// <remarks>Thread-safe. Concurrent lookups of one key share one store query.</remarks>
internal sealed class CachedAccessStore : IAccessStore
{
    private readonly IAccessStore _inner;
    private readonly RevalidatingCache<string, Found<ApiKeyRecord>> _keys;
    private readonly RevalidatingCache<string, Found<AccountLimits>> _limits;

    /// <summary>Caches <paramref name="inner"/>'s keys and limits with the timings of <paramref name="options"/>.</summary>
    /// <param name="inner">The store (PostgreSQL in the full profile).</param>
    /// <param name="options">The caches' timings: <see cref="StoreCacheOptions.Ttl"/> is how long a copy is served without
    /// asking the store (<see cref="AuthOptions.KeyCacheMs"/> in the host); the other defaults are those described above.</param>
    /// <param name="logger">Receives the outage events of the caches (7510, 7511).</param>
    /// <param name="time">The clock (tests); <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A timing of <paramref name="options"/> is out of range
    /// (<see cref="StoreCacheOptions.Validate"/>).</exception>
    public CachedAccessStore(IAccessStore inner, StoreCacheOptions options, ILogger logger, TimeProvider? time = null)
    {
        _inner = inner;
        // Not cancellable by one waiter: the read is shared, and the store's own timeout bounds it.
        _keys = new RevalidatingCache<string, Found<ApiKeyRecord>>("api_keys", options,
            async (keyId, _) => new Found<ApiKeyRecord>(await inner.FindKeyAsync(keyId, CancellationToken.None).ConfigureAwait(false)), logger, time);
        _limits = new RevalidatingCache<string, Found<AccountLimits>>("account_limits", options,
            async (userId, _) => new Found<AccountLimits>(await inner.GetLimitsAsync(userId, CancellationToken.None).ConfigureAwait(false)), logger, time);
    }

    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) => _inner.AddKeyAsync(key, cancellationToken);

    public Task<ApiKeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken) => GetAsync(_keys, keyId, cancellationToken);

    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string userId, CancellationToken cancellationToken) => _inner.ListKeysAsync(userId, cancellationToken);

    public async Task<bool> RevokeKeyAsync(string userId, string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var revoked = await _inner.RevokeKeyAsync(userId, keyId, at, cancellationToken).ConfigureAwait(false);
        _keys.Invalidate(keyId);
        return revoked;
    }

    public Task<AccountLimits?> GetLimitsAsync(string userId, CancellationToken cancellationToken) => GetAsync(_limits, userId, cancellationToken);

    public async Task SetLimitsAsync(string userId, AccountLimits limits, CancellationToken cancellationToken)
    {
        await _inner.SetLimitsAsync(userId, limits, cancellationToken).ConfigureAwait(false);
        _limits.Invalidate(userId);
    }

    // A copy the cache holds is answered with that copy's completed task, made once per copy: no task or state machine per
    // request (bench/README.md "Claims read from a fixed array"). The cache reports an unusable store as
    // StatusStoreUnavailableException (its cold wait ran out, or its last read failed); callers of IAccessStore expect
    // AccessStoreUnavailableException, which the read itself throws on a cold miss.
    private static Task<T?> GetAsync<T>(RevalidatingCache<string, Found<T>> cache, string key, CancellationToken cancellationToken)
        where T : class
    {
        var found = cache.GetAsync(key, cancellationToken);
        return found.IsCompletedSuccessfully ? found.Result.Completed : WaitAsync(found);

        static async Task<T?> WaitAsync(ValueTask<Found<T>> found)
        {
            try
            {
                return (await found.ConfigureAwait(false)).Value;
            }
            catch (StatusStoreUnavailableException ex)
            {
                throw new AccessStoreUnavailableException("the access store is unavailable and no copy is held", ex);
            }
        }
    }

    /// <summary>A lookup's answer, including "not found" (null), so that an absence is cached as well.</summary>
    private sealed class Found<T>(T? value)
        where T : class
    {
        public T? Value { get; } = value;

        /// <summary>The value as a completed task, made on first use (two threads may each make one; either serves).</summary>
        public Task<T?> Completed => field ??= Task.FromResult(Value);
    }
}
