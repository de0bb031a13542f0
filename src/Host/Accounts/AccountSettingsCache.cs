using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using SmsGateway.Accounts;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Account settings read on every <c>/send</c> (allowed senders, default callback URL), cached for a few seconds so
/// that the PostgreSQL store is not asked once per message. A change made through this process shows at once; one made
/// through another process within <see cref="Ttl"/>. While the store is unreachable, the last copy read (at most
/// <see cref="StaleLimit"/> old) keeps serving, so a PostgreSQL outage does not stop accepting messages.
/// </summary>
/// <remarks>Thread-safe. Concurrent misses for one account share a single store read, so a burst for one user after a
/// restart or a TTL expiry costs one PostgreSQL query, not one per request (the crash suite drained the connection pool
/// with 300 req/s of such reads).</remarks>
public sealed class AccountSettingsCache(IAccountSettingsStore store, ILogger<AccountSettingsCache> logger) : IDisposable
{
    /// <summary>How long a read is reused.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    /// <summary>How old a copy may be and still serve while the store is unreachable.</summary>
    public static readonly TimeSpan StaleLimit = TimeSpan.FromHours(1);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    private readonly ConcurrentDictionary<string, Task<AccountSettings>> _reads = new(StringComparer.Ordinal);

    /// <summary>The account's settings, at most <see cref="Ttl"/> old, or at most <see cref="StaleLimit"/> old while the store is down.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable and no copy of the account's settings is held.</exception>
    public async ValueTask<AccountSettings> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        _cache.TryGetValue(userId, out Entry? cached);
        if (cached is not null && now - cached.ReadAt < Ttl)
        {
            return cached.Settings;
        }

        // One read per account in flight; every waiter drops the finished read (only that one), so the next miss reads again.
        var read = _reads.GetOrAdd(userId, static (id, self) => self.ReadAsync(id), this);
        try
        {
            return await read.WaitAsync(cancellationToken);
        }
        catch (Status.StatusStoreUnavailableException ex) when (cached is not null)
        {
            AccountsLog.ServingStaleSettings(logger, userId, (now - cached.ReadAt).TotalSeconds, ex);
            return cached.Settings;
        }
        finally
        {
            if (read.IsCompleted)
            {
                _reads.TryRemove(new KeyValuePair<string, Task<AccountSettings>>(userId, read));
            }
        }
    }

    // Not cancellable by one waiter: the read is shared, and the store's own timeout bounds it.
    private async Task<AccountSettings> ReadAsync(string userId)
    {
        var settings = await store.GetAsync(userId, CancellationToken.None);
        _cache.Set(userId, new Entry(settings, DateTimeOffset.UtcNow), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = StaleLimit });
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

    private sealed record Entry(AccountSettings Settings, DateTimeOffset ReadAt);
}
