using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SmsGateway.BlockLists;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Decides whether a recipient is blocked for an account: on the account's list or on the global one. Every send path
/// (<c>/send</c>, <c>/verify</c>, batch items) calls <see cref="FindAsync"/> before anything is reserved. Each list is held
/// in memory and its version is re-read at most every <see cref="Ttl"/>; the list itself is re-read only when the version
/// changed, so a change made through another gateway shows within <see cref="Ttl"/> and one made through this process at once.
/// While the store is unreachable, the last copy read (at most <see cref="StaleLimit"/> old) keeps serving.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RecipientBlockCheck(IBlockListStore store, ILogger<RecipientBlockCheck> logger)
{
    /// <summary>How long a list's copy is used before its version is read again.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    /// <summary>How old a copy may be and still serve while the store is unreachable.</summary>
    public static readonly TimeSpan StaleLimit = TimeSpan.FromHours(1);

    /// <summary>Most lists held in memory; past it the copies are dropped and re-read on demand.</summary>
    public const int MaxListsHeld = 100_000;

    private readonly ConcurrentDictionary<string, Copy> _lists = new(StringComparer.Ordinal);

    /// <summary>The store behind the check (for the admin API, which writes through <see cref="AddAsync"/>/<see cref="RemoveAsync"/>).</summary>
    public IBlockListStore Store => store;

    /// <summary>
    /// <c>account</c> when <paramref name="msisdn"/> (E.164) is on <paramref name="userId"/>'s list, <c>global</c> when on the
    /// global list, null when the recipient may receive messages.
    /// </summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable and no copy of a needed list is held.</exception>
    public async ValueTask<string?> FindAsync(string userId, string msisdn, CancellationToken cancellationToken)
    {
        if ((await GetAsync(userId, cancellationToken)).Contains(msisdn))
        {
            return "account";
        }

        return (await GetAsync(IBlockListStore.Global, cancellationToken)).Contains(msisdn) ? "global" : null;
    }

    /// <summary>Adds to the list through the store and drops this process's copy.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask<bool> AddAsync(string list, BlockedRecipient entry, CancellationToken cancellationToken)
    {
        var added = await store.AddAsync(list, entry, cancellationToken);
        _lists.TryRemove(list, out _);
        return added;
    }

    /// <summary>Removes from the list through the store and drops this process's copy.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable.</exception>
    public async ValueTask<bool> RemoveAsync(string list, string msisdn, CancellationToken cancellationToken)
    {
        var removed = await store.RemoveAsync(list, msisdn, cancellationToken);
        _lists.TryRemove(list, out _);
        return removed;
    }

    private async ValueTask<HashSet<string>> GetAsync(string list, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        _lists.TryGetValue(list, out var copy);
        if (copy is not null && now - copy.CheckedAt < Ttl)
        {
            return copy.Numbers;
        }

        try
        {
            var version = await store.VersionAsync(list, cancellationToken);
            if (copy is not null && copy.Version == version)
            {
                _lists[list] = copy with { CheckedAt = now };
                return copy.Numbers;
            }

            // Read the version first: a change between the two reads shows as a newer list under an older version, which is
            // re-read at the next check, never the other way round.
            var numbers = version == 0
                ? []
                : (await store.ListAsync(list, cancellationToken)).Select(e => e.Msisdn).ToHashSet(StringComparer.Ordinal);
            if (_lists.Count >= MaxListsHeld)
            {
                _lists.Clear();
            }

            _lists[list] = new Copy(version, numbers, now, now);
            return numbers;
        }
        catch (Status.StatusStoreUnavailableException ex) when (copy is not null && now - copy.ReadAt < StaleLimit)
        {
            BlockListLog.ServingStaleList(logger, list, (now - copy.ReadAt).TotalSeconds, ex);
            return copy.Numbers;
        }
    }

    private sealed record Copy(long Version, HashSet<string> Numbers, DateTimeOffset ReadAt, DateTimeOffset CheckedAt);
}
