using Microsoft.Extensions.Logging;
using SmsGateway.Accounts;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Account settings read on every <c>/send</c> (allowed senders, default callback URL, store_text), cached so that the
/// PostgreSQL store is not asked once per message and a PostgreSQL outage delays no request (README "Store outages on the
/// accept path"). A copy is served as it is for <see cref="StoreCacheOptions.Ttl"/> (5 s); an older one (up to
/// <see cref="StoreCacheOptions.StaleLimit"/>, 1 h) is served at once while one background read refreshes it. A change
/// made through this process shows at once; one made through another process within about the TTL.
/// </summary>
/// <remarks>Thread-safe. Concurrent reads of one account share a single store query (the crash suite's restarted gateway
/// drained the 30-connection pool with 300 req/s of duplicate reads).</remarks>
public sealed class AccountSettingsCache
{
    private readonly IAccountSettingsStore _store;
    private readonly RevalidatingCache<string, AccountSettings> _cache;

    /// <summary>Creates the cache with the default timings.</summary>
    public AccountSettingsCache(IAccountSettingsStore store, ILogger<AccountSettingsCache> logger)
        : this(store, logger, new StoreCacheOptions(), null)
    {
    }

    /// <summary>Creates the cache with <paramref name="options"/> (tests).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="options"/> are invalid.</exception>
    internal AccountSettingsCache(IAccountSettingsStore store, ILogger<AccountSettingsCache> logger, StoreCacheOptions options, TimeProvider? time)
    {
        _store = store;
        // Not cancellable by one waiter: the read is shared, and the store's own timeout bounds it.
        _cache = new RevalidatingCache<string, AccountSettings>("account_settings", options,
            (userId, _) => store.GetAsync(userId, CancellationToken.None).AsTask(), logger, time);
    }

    /// <summary>The account's settings: the held copy at once (at most 1 h old), else a store read of at most 500 ms.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">No copy of the account's settings is held and the store did not
    /// answer within <see cref="StoreCacheOptions.ColdWait"/> (the caller answers 503 and charges nothing).</exception>
    public ValueTask<AccountSettings> GetAsync(string userId, CancellationToken cancellationToken) => _cache.GetAsync(userId, cancellationToken);

    /// <summary>Saves through to the store and drops the cached copy.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask SaveAsync(AccountSettings settings, CancellationToken cancellationToken)
    {
        await _store.SaveAsync(settings, cancellationToken);
        _cache.Invalidate(settings.UserId);
    }
}
