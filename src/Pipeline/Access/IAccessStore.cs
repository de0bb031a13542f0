namespace SmsGateway.Access;

/// <summary>
/// API keys (hashed) and per-account limit overrides. The embedded profile keeps them in memory
/// (<see cref="InMemoryAccessStore"/>); the full profile in PostgreSQL, so every gateway process sees the same keys.
/// </summary>
/// <remarks>Thread-safe. Every method throws <see cref="AccessStoreUnavailableException"/> when the store cannot be reached in time.</remarks>
public interface IAccessStore
{
    /// <summary>Stores a new key.</summary>
    /// <exception cref="AccessStoreUnavailableException">The store could not be reached.</exception>
    Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>The key with this id (revoked or not), or null.</summary>
    /// <exception cref="AccessStoreUnavailableException">The store could not be reached.</exception>
    Task<ApiKeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Every key of <paramref name="userId"/>, oldest first, revoked ones included.</summary>
    /// <exception cref="AccessStoreUnavailableException">The store could not be reached.</exception>
    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Marks the key revoked at <paramref name="at"/>; false when <paramref name="userId"/> has no such key. Idempotent.</summary>
    /// <exception cref="AccessStoreUnavailableException">The store could not be reached.</exception>
    Task<bool> RevokeKeyAsync(string userId, string keyId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The account's limit override, or null when it has none.</summary>
    /// <exception cref="AccessStoreUnavailableException">The store could not be reached.</exception>
    Task<AccountLimits?> GetLimitsAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Replaces the account's limit override (all-null fields: back to the defaults).</summary>
    /// <exception cref="AccessStoreUnavailableException">The store could not be reached.</exception>
    Task SetLimitsAsync(string userId, AccountLimits limits, CancellationToken cancellationToken);
}
