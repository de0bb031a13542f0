using Npgsql;

namespace SmsGateway.Postgres;

/// <summary>
/// Configuration of the PostgreSQL status store (configuration section <c>Postgres</c>: keys <c>Postgres:ConnectionString</c>,
/// <c>Postgres:BatchSize</c>, <c>Postgres:MaxBatchAgeMs</c>, <c>Postgres:CommandTimeoutSeconds</c>,
/// <c>Postgres:MigrateOnStart</c>, <c>Postgres:MigrationLockTimeoutMs</c>).
/// </summary>
/// <remarks>
/// <see cref="BatchSize"/> and <see cref="MaxBatchAgeMs"/> are not used by the store itself: the pipeline's status stage
/// batches events and calls <see cref="Status.IStatusStore.WriteBatchAsync"/>; the host passes these values to it.
/// Call <see cref="Validate"/> (done by <see cref="PostgresServiceCollectionExtensions.AddPostgresStatusStore"/>) before use.
/// </remarks>
public sealed record PostgresOptions
{
    /// <summary>Npgsql connection string (https://www.npgsql.org/doc/connection-string-parameters.html). Required. Pooling is on unless the string turns it off.</summary>
    public string ConnectionString { get; init; } = string.Empty;

    /// <summary>Largest number of status events written in one COPY + upsert transaction. Default 1000; 1..100,000.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Longest time (ms) the status stage holds a partial batch before writing it. Default 50; 1..60,000.</summary>
    public int MaxBatchAgeMs { get; init; } = 50;

    /// <summary>Timeout of each SQL command, seconds (Npgsql <c>Command Timeout</c>). Default 30; 1..3,600.</summary>
    public int CommandTimeoutSeconds { get; init; } = 30;

    /// <summary>Apply pending migrations when the host starts (hosted service registered by <c>AddPostgresStatusStore</c>). Default true.</summary>
    public bool MigrateOnStart { get; init; } = true;

    /// <summary>Longest wait (ms) for the migration advisory lock held by another starting host. Default 120,000; 1..3,600,000.</summary>
    public int MigrationLockTimeoutMs { get; init; } = 120_000;

    /// <summary>Checks every invariant.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range; the message names the configuration key.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("Postgres:ConnectionString is required.", nameof(ConnectionString));
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"Postgres:ConnectionString is not a valid Npgsql connection string: {e.Message}", nameof(ConnectionString), e);
        }

        Range(BatchSize, 1, 100_000, "Postgres:BatchSize", nameof(BatchSize));
        Range(MaxBatchAgeMs, 1, 60_000, "Postgres:MaxBatchAgeMs", nameof(MaxBatchAgeMs));
        Range(CommandTimeoutSeconds, 1, 3_600, "Postgres:CommandTimeoutSeconds", nameof(CommandTimeoutSeconds));
        Range(MigrationLockTimeoutMs, 1, 3_600_000, "Postgres:MigrationLockTimeoutMs", nameof(MigrationLockTimeoutMs));
    }

    private static void Range(int value, int min, int max, string key, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException($"{key} must be within {min}..{max}; it is {value}.", name);
        }
    }
}
