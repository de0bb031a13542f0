namespace SmsGateway.Templates;

/// <summary>Stores <see cref="MessageTemplate"/>s per account. Implementations: in memory (this library) and PostgreSQL.</summary>
/// <remarks>Thread-safe.</remarks>
public interface ITemplateStore
{
    /// <summary>The account's template of that name; null when none.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask<MessageTemplate?> GetAsync(string userId, string name, CancellationToken cancellationToken);

    /// <summary>Every template of the account, by name.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask<IReadOnlyList<MessageTemplate>> ListAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the template.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask SaveAsync(MessageTemplate template, CancellationToken cancellationToken);

    /// <summary>Deletes the template; false when there was none.</summary>
    /// <exception cref="Status.StatusStoreUnavailableException">The store is unreachable (PostgreSQL).</exception>
    ValueTask<bool> DeleteAsync(string userId, string name, CancellationToken cancellationToken);
}
