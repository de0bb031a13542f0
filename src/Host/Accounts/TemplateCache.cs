using Microsoft.Extensions.Logging;
using SmsGateway.Templates;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Templates read on every <c>/verify</c>, cached like the account settings (<see cref="AccountSettingsCache"/>): a copy is
/// served as it is for <see cref="StoreCacheOptions.Ttl"/>, an older one (up to <see cref="StoreCacheOptions.StaleLimit"/>)
/// at once while one background read refreshes it; a change made through this process shows at once.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class TemplateCache
{
    private readonly ITemplateStore _store;
    private readonly RevalidatingCache<(string UserId, string Name), Entry> _cache;

    /// <summary>Creates the cache with the default timings.</summary>
    public TemplateCache(ITemplateStore store, ILogger<TemplateCache> logger)
    {
        _store = store;
        // Not cancellable by one waiter: the read is shared, and the store's own timeout bounds it.
        _cache = new RevalidatingCache<(string UserId, string Name), Entry>("templates", new StoreCacheOptions(),
            async (key, _) => new Entry(await store.GetAsync(key.UserId, key.Name, CancellationToken.None)), logger);
    }

    /// <summary>The store behind the cache (listing goes straight to it).</summary>
    public ITemplateStore Store => _store;

    /// <summary>The account's template, or null when it has none of that name.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">No copy is held and the store did not answer within
    /// <see cref="StoreCacheOptions.ColdWait"/>.</exception>
    public async ValueTask<MessageTemplate?> GetAsync(string userId, string name, CancellationToken cancellationToken) =>
        (await _cache.GetAsync((userId, name), cancellationToken)).Template;

    /// <summary>Saves through to the store and drops the cached copy.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask SaveAsync(MessageTemplate template, CancellationToken cancellationToken)
    {
        await _store.SaveAsync(template, cancellationToken);
        _cache.Invalidate((template.UserId, template.Name));
    }

    /// <summary>Deletes through the store and drops the cached copy; false when there was none.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask<bool> DeleteAsync(string userId, string name, CancellationToken cancellationToken)
    {
        var deleted = await _store.DeleteAsync(userId, name, cancellationToken);
        _cache.Invalidate((userId, name));
        return deleted;
    }

    // A held read: the template, or null for "this account has none of that name".
    private sealed record Entry(MessageTemplate? Template);
}
