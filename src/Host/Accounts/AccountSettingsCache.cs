using Microsoft.Extensions.Caching.Memory;
using SmsGateway.Accounts;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Account settings read on every <c>/send</c> (allowed senders, default callback URL), cached for a few seconds so
/// that the PostgreSQL store is not asked once per message. A change made through this process shows at once; one made
/// through another process within <see cref="Ttl"/>.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class AccountSettingsCache(IAccountSettingsStore store) : IDisposable
{
    /// <summary>How long a read is reused.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>The account's settings, at most <see cref="Ttl"/> old.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask<AccountSettings> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(userId, out AccountSettings? cached) && cached is not null)
        {
            return cached;
        }

        var settings = await store.GetAsync(userId, cancellationToken);
        _cache.Set(userId, settings, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Ttl });
        return settings;
    }

    /// <summary>Saves through to the store and refreshes the cached copy.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask SaveAsync(AccountSettings settings, CancellationToken cancellationToken)
    {
        await store.SaveAsync(settings, cancellationToken);
        _cache.Remove(settings.UserId);
    }

    /// <inheritdoc />
    public void Dispose() => _cache.Dispose();
}
