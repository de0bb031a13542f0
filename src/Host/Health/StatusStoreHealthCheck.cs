using Npgsql;
using SmsGateway.Postgres;

namespace SmsGateway.Host.Health;

/// <summary>
/// Readiness of the PostgreSQL status store: <c>SELECT 1</c> through the store's own connection pool
/// (<see cref="PostgresStatusStore.DataSource"/>), with a 1 s command timeout.
/// </summary>
internal sealed class StatusStoreHealthCheck(PostgresStatusStore store, TimeProvider time, HealthLog log) : DependencyHealthCheck(time, log)
{
    /// <inheritdoc />
    protected override string Name => "status_store";

    /// <inheritdoc />
    protected override async Task<Probe> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = store.DataSource.CreateCommand("SELECT 1");
            command.CommandTimeout = 1; // seconds
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return Probe.Up("SELECT 1 answered");
        }
        catch (NpgsqlException ex)
        {
            return Probe.Down("SELECT 1 failed", $"PostgreSQL status store: {ex.Message}");
        }
    }
}
