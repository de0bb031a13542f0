namespace SmsGateway.Accounts;

/// <summary>Stores <see cref="AccountSettings"/>. Implementations: in memory (this library) and PostgreSQL.</summary>
/// <remarks>Thread-safe.</remarks>
public interface IAccountSettingsStore
{
    /// <summary>The account's settings; <see cref="AccountSettings.Empty"/> when none were stored.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask<AccountSettings> GetAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Replaces the account's settings.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask SaveAsync(AccountSettings settings, CancellationToken cancellationToken);

    /// <summary>
    /// The accounts whose <see cref="AccountSettings.AllowedSenders"/> contain one of <paramref name="senders"/> (exact
    /// match), ordered by user id: who owns a line an inbound message was sent to.
    /// </summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask<IReadOnlyList<string>> FindAccountsBySenderAsync(IReadOnlyList<string> senders, CancellationToken cancellationToken);
}
