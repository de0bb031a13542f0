using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmsGateway.Status;

namespace SmsGateway.Postgres;

/// <summary>
/// <see cref="IStatusStore"/> on PostgreSQL: batched binary COPY + one upsert per batch, keyset-paginated reports.
/// Schema: <c>Migrations/*.sql</c> (apply with <see cref="MigrateAsync"/> or the hosted service of
/// <see cref="PostgresServiceCollectionExtensions.AddPostgresStatusStore"/>).
/// </summary>
/// <remarks>
/// Thread-safe: every call takes its own pooled connection from an <see cref="NpgsqlDataSource"/>. Writes are idempotent by
/// (message id, status, attempt), so a batch replayed after a crash between commit and ack leaves one row per event.
/// </remarks>
public sealed partial class PostgresStatusStore : IStatusStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the store and its connection pool (no connection is opened yet).</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid (see <see cref="PostgresOptions.Validate"/>).</exception>
    public PostgresStatusStore(PostgresOptions options, ILogger<PostgresStatusStore>? logger = null)
    {
        _dataSource = CreateDataSource(options);
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The pool the store uses (shared with the host's readiness check, docs: README "Readiness").</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Applies pending schema migrations (see <see cref="PostgresMigrator"/>); safe to run from several hosts at once.</summary>
    /// <returns>How many migrations were applied now.</returns>
    /// <exception cref="PostgresMigrationException">A migration failed; the message names the file.</exception>
    /// <exception cref="TimeoutException">Another host held the migration lock longer than <see cref="PostgresOptions.MigrationLockTimeoutMs"/>.</exception>
    /// <exception cref="NpgsqlException">The database could not be reached.</exception>
    public Task<int> MigrateAsync(CancellationToken cancellationToken) =>
        PostgresMigrator.MigrateAsync(_dataSource, _logger, cancellationToken, _options.MigrationLockTimeoutMs);

    /// <summary>Closes the connection pool.</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static NpgsqlDataSource CreateDataSource(PostgresOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        builder.ConnectionStringBuilder.CommandTimeout = options.CommandTimeoutSeconds;
        // Keep the per-session staging table of WriteBatchAsync across pool rentals (no DISCARD ALL); this store leaves no
        // other session state behind (the migrator resets lock_timeout and releases its advisory lock).
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    }

    private StatusStoreUnavailableException Unavailable(string what, Exception e) =>
        new($"PostgreSQL status store: {what} failed: {e.Message}", e);
}
