using Microsoft.Extensions.Caching.Memory;
using SmsGateway.Access;

namespace SmsGateway.Host.Access;

/// <summary>
/// Keeps looked-up keys and limit overrides (found or not) for <see cref="AuthOptions.KeyCacheMs"/>, so the accept path does
/// not pay a database round trip per request; a revocation made on another gateway takes effect here within that time.
/// Writes go to the store and drop this process's entry at once.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class CachedAccessStore(IAccessStore inner, TimeSpan ttl) : IAccessStore, IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) => inner.AddKeyAsync(key, cancellationToken);

    public async Task<ApiKeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(("key", keyId), out ApiKeyRecord? cached))
        {
            return cached;
        }

        var key = await inner.FindKeyAsync(keyId, cancellationToken);
        _cache.Set(("key", keyId), key, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl, Size = 1 });
        return key;
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string userId, CancellationToken cancellationToken) => inner.ListKeysAsync(userId, cancellationToken);

    public async Task<bool> RevokeKeyAsync(string userId, string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var revoked = await inner.RevokeKeyAsync(userId, keyId, at, cancellationToken);
        _cache.Remove(("key", keyId));
        return revoked;
    }

    public async Task<AccountLimits?> GetLimitsAsync(string userId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(("limits", userId), out AccountLimits? cached))
        {
            return cached;
        }

        var limits = await inner.GetLimitsAsync(userId, cancellationToken);
        _cache.Set(("limits", userId), limits, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl, Size = 1 });
        return limits;
    }

    public async Task SetLimitsAsync(string userId, AccountLimits limits, CancellationToken cancellationToken)
    {
        await inner.SetLimitsAsync(userId, limits, cancellationToken);
        _cache.Remove(("limits", userId));
    }

    public void Dispose() => _cache.Dispose();
}
