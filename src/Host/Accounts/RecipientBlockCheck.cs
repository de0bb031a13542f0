using Microsoft.Extensions.Logging;
using SmsGateway.BlockLists;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Decides whether a recipient is blocked for an account: on the account's list or on the global one. Every send path
/// (<c>/send</c>, <c>/verify</c>, batch items) calls <see cref="FindAsync"/> before anything is reserved. Each list is held
/// in memory; once its copy is older than <see cref="StoreCacheOptions.Ttl"/> (5 s) it is served at once while one background
/// read checks the list's version, and re-reads the list only when the version changed. So a change made through another
/// gateway shows within about the TTL, one made through this process at once, and a PostgreSQL outage delays no send: the
/// last copy (at most <see cref="StoreCacheOptions.StaleLimit"/>, 1 h, old) keeps deciding, so a number held as blocked
/// stays blocked (README "Store outages on the accept path").
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RecipientBlockCheck
{
    private readonly IBlockListStore _store;
    private readonly RevalidatingCache<string, Copy> _lists;

    /// <summary>Creates the check with the default timings.</summary>
    public RecipientBlockCheck(IBlockListStore store, ILogger<RecipientBlockCheck> logger)
        : this(store, logger, new StoreCacheOptions(), null)
    {
    }

    /// <summary>Creates the check with <paramref name="options"/> (tests).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="options"/> are invalid.</exception>
    internal RecipientBlockCheck(IBlockListStore store, ILogger<RecipientBlockCheck> logger, StoreCacheOptions options, TimeProvider? time)
    {
        _store = store;
        _lists = new RevalidatingCache<string, Copy>("block_lists", options, ReadAsync, logger, time);
    }

    /// <summary>The store behind the check (for the admin API, which writes through <see cref="AddAsync"/>/<see cref="RemoveAsync"/>).</summary>
    public IBlockListStore Store => _store;

    /// <summary>
    /// <c>account</c> when <paramref name="msisdn"/> (E.164) is on <paramref name="userId"/>'s list, <c>global</c> when on the
    /// global list, null when the recipient may receive messages.
    /// </summary>
    /// <exception cref="Status.StatusStoreUnavailableException">No copy of a needed list is held and the store did not answer
    /// within <see cref="StoreCacheOptions.ColdWait"/> (the caller answers 503 and charges nothing).</exception>
    public async ValueTask<string?> FindAsync(string userId, string msisdn, CancellationToken cancellationToken)
    {
        if ((await _lists.GetAsync(userId, cancellationToken)).Numbers.Contains(msisdn))
        {
            return "account";
        }

        return (await _lists.GetAsync(IBlockListStore.Global, cancellationToken)).Numbers.Contains(msisdn) ? "global" : null;
    }

    /// <summary>Adds to the list through the store and drops this process's copy.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask<bool> AddAsync(string list, BlockedRecipient entry, CancellationToken cancellationToken)
    {
        var added = await _store.AddAsync(list, entry, cancellationToken);
        _lists.Invalidate(list);
        return added;
    }

    /// <summary>Removes from the list through the store and drops this process's copy.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask<bool> RemoveAsync(string list, string msisdn, CancellationToken cancellationToken)
    {
        var removed = await _store.RemoveAsync(list, msisdn, cancellationToken);
        _lists.Invalidate(list);
        return removed;
    }

    // The shared read of one list (not cancellable by one waiter; the store's own timeout bounds it). The version is read
    // first: a change between the two reads shows as a newer list under an older version, which is re-read at the next
    // check, never the other way round.
    private async Task<Copy> ReadAsync(string list, Copy? previous)
    {
        var version = await _store.VersionAsync(list, CancellationToken.None);
        if (previous is not null && previous.Version == version)
        {
            return previous;
        }

        var numbers = version == 0
            ? []
            : (await _store.ListAsync(list, CancellationToken.None)).Select(e => e.Msisdn).ToHashSet(StringComparer.Ordinal);
        return new Copy(version, numbers);
    }

    // Never mutated once built; a version check that finds no change keeps the same instance.
    private sealed record Copy(long Version, HashSet<string> Numbers);
}
