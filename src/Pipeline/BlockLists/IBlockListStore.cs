namespace SmsGateway.BlockLists;

/// <summary>
/// Block lists of recipients: one per account (keyed by the user id) and the global one (<see cref="Global"/>).
/// Implementations: in memory (this library) and PostgreSQL. Each list has a version that changes with every add or remove,
/// so a reader can keep a copy and re-read it only when it changed.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public interface IBlockListStore
{
    /// <summary>The list key of the global list (not a valid user id, so it cannot collide with an account).</summary>
    public const string Global = "*";

    /// <summary>Adds <paramref name="entry"/> to the list; false when the MSISDN was on it already (the entry is kept as it was).</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask<bool> AddAsync(string list, BlockedRecipient entry, CancellationToken cancellationToken);

    /// <summary>Removes the MSISDN; false when it was not on the list.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask<bool> RemoveAsync(string list, string msisdn, CancellationToken cancellationToken);

    /// <summary>Every entry of the list, ordered by MSISDN.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask<IReadOnlyList<BlockedRecipient>> ListAsync(string list, CancellationToken cancellationToken);

    /// <summary>The list's version: 0 for a list never changed, then greater after each change.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask<long> VersionAsync(string list, CancellationToken cancellationToken);
}
