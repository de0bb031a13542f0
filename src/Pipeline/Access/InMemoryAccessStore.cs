using System.Collections.Concurrent;

namespace SmsGateway.Access;

/// <summary><see cref="IAccessStore"/> of the embedded profile: one process, lost on restart. Thread-safe.</summary>
public sealed class InMemoryAccessStore : IAccessStore
{
    private readonly ConcurrentDictionary<string, ApiKeyRecord> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccountLimits> _limits = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        if (!_keys.TryAdd(key.KeyId, key))
        {
            throw new InvalidOperationException($"key id {key.KeyId} exists");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ApiKeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken) =>
        Task.FromResult(_keys.TryGetValue(keyId, out var key) ? key : null);

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ApiKeyRecord>>(_keys.Values.Where(k => k.UserId == userId).OrderBy(k => k.CreatedAt).ToList());

    /// <inheritdoc />
    public Task<bool> RevokeKeyAsync(string userId, string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        while (_keys.TryGetValue(keyId, out var key) && key.UserId == userId)
        {
            if (key.RevokedAt is not null || _keys.TryUpdate(keyId, key with { RevokedAt = at }, key))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    /// <inheritdoc />
    public Task<AccountLimits?> GetLimitsAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult(_limits.TryGetValue(userId, out var limits) ? limits : null);

    /// <inheritdoc />
    public Task SetLimitsAsync(string userId, AccountLimits limits, CancellationToken cancellationToken)
    {
        _limits[userId] = limits;
        return Task.CompletedTask;
    }
}
