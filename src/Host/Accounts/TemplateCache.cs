using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using SmsGateway.Templates;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Templates read on every <c>/verify</c>, cached like the account settings (<see cref="AccountSettingsCache"/>): a read is
/// reused for <see cref="Ttl"/>; a change made through this process shows at once; while the store is unreachable the last
/// copy read (at most <see cref="StaleLimit"/> old) keeps serving.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class TemplateCache(ITemplateStore store, ILogger<TemplateCache> logger) : IDisposable
{
    /// <summary>How long a read is reused.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    /// <summary>How old a copy may be and still serve while the store is unreachable.</summary>
    public static readonly TimeSpan StaleLimit = TimeSpan.FromHours(1);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>The store behind the cache (listing goes straight to it).</summary>
    public ITemplateStore Store => store;

    /// <summary>The account's template, or null when it has none of that name.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable and no copy is held.</exception>
    public async ValueTask<MessageTemplate?> GetAsync(string userId, string name, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var key = (userId, name);
        _cache.TryGetValue(key, out Entry? cached);
        if (cached is not null && now - cached.ReadAt < Ttl)
        {
            return cached.Template;
        }

        MessageTemplate? template;
        try
        {
            template = await store.GetAsync(userId, name, cancellationToken);
        }
        catch (Status.StatusStoreUnavailableException ex) when (cached is not null)
        {
            BlockListLog.ServingStaleTemplate(logger, userId, name, (now - cached.ReadAt).TotalSeconds, ex);
            return cached.Template;
        }

        _cache.Set(key, new Entry(template, now), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = StaleLimit });
        return template;
    }

    /// <summary>Saves through to the store and drops the cached copy.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask SaveAsync(MessageTemplate template, CancellationToken cancellationToken)
    {
        await store.SaveAsync(template, cancellationToken);
        _cache.Remove((template.UserId, template.Name));
    }

    /// <summary>Deletes through the store and drops the cached copy; false when there was none.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask<bool> DeleteAsync(string userId, string name, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteAsync(userId, name, cancellationToken);
        _cache.Remove((userId, name));
        return deleted;
    }

    /// <inheritdoc />
    public void Dispose() => _cache.Dispose();

    private sealed record Entry(MessageTemplate? Template, DateTimeOffset ReadAt);
}
