using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmsGateway.Postgres.Migrations;

namespace SmsGateway.Postgres;

/// <summary>
/// Applies the versioned SQL migrations embedded in this assembly (<c>Migrations/NNNN_name.sql</c>), each in its own
/// transaction, recorded in <c>schema_migrations (version, name, checksum, applied_at)</c>.
/// </summary>
/// <remarks>
/// Safe when several hosts start at once: the whole run holds a session-level advisory lock
/// (<c>pg_advisory_lock</c>, https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS), so one host
/// migrates and the others then find nothing left to do. An applied file whose checksum changed is refused.
/// </remarks>
public static class PostgresMigrator
{
    /// <summary>The advisory lock key (a constant 64-bit number: "SMSGWMIG" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x534D_5347_574D_4947;

    /// <summary>Applies every pending migration.</summary>
    /// <param name="dataSource">Where; the connection's user needs CREATE on the database's default schema.</param>
    /// <param name="logger">Progress log; null for none.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock or the running migration (rolled back).</param>
    /// <param name="lockTimeoutMs">Longest wait for the advisory lock, ms.</param>
    /// <returns>How many migrations this call applied (0 when the schema was current).</returns>
    /// <exception cref="PostgresMigrationException">A migration failed (its transaction is rolled back) or an applied file was edited; the message names the file.</exception>
    /// <exception cref="TimeoutException">The lock was not granted within <paramref name="lockTimeoutMs"/>.</exception>
    /// <exception cref="NpgsqlException">The database could not be reached.</exception>
    public static Task<int> MigrateAsync(NpgsqlDataSource dataSource, ILogger? logger, CancellationToken cancellationToken, int lockTimeoutMs = 120_000) =>
        MigrateAsync(dataSource, EmbeddedMigrations.All, lockTimeoutMs, logger, cancellationToken);

    /// <summary>Applies <paramref name="migrations"/> (tests pass their own list).</summary>
    internal static async Task<int> MigrateAsync(
        NpgsqlDataSource dataSource, IReadOnlyList<Migration> migrations, int lockTimeoutMs, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentOutOfRangeException.ThrowIfLessThan(lockTimeoutMs, 1);
        logger ??= NullLogger.Instance;
        var sorted = EmbeddedMigrations.Sorted(migrations);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await AcquireLockAsync(connection, lockTimeoutMs, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     NOT NULL PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken).ConfigureAwait(false);

            var applied = await ReadAppliedAsync(connection, cancellationToken).ConfigureAwait(false);
            var known = sorted.Select(m => m.Version).ToHashSet();
            foreach (var (version, (name, _)) in applied)
            {
                if (!known.Contains(version))
                {
                    logger.UnknownMigration(version, name);
                }
            }

            var count = 0;
            foreach (var migration in sorted)
            {
                if (applied.TryGetValue(migration.Version, out var done))
                {
                    if (!string.Equals(done.Checksum, migration.Checksum, StringComparison.Ordinal))
                    {
                        throw new PostgresMigrationException(migration.FileName,
                            $"Migration {migration.FileName} was applied with checksum {done.Checksum} but the file now has {migration.Checksum}. "
                            + "Never edit an applied migration: add a new file.");
                    }

                    continue;
                }

                await ApplyAsync(connection, migration, logger, cancellationToken).ConfigureAwait(false);
                count++;
            }

            logger.MigrationsDone(sorted.Count == 0 ? 0 : Math.Max(sorted[^1].Version, applied.Keys.DefaultIfEmpty(0).Max()), count);
            return count;
        }
        finally
        {
            await ReleaseLockAsync(connection, logger).ConfigureAwait(false);
        }
    }

    private static async Task AcquireLockAsync(NpgsqlConnection connection, int lockTimeoutMs, ILogger logger, CancellationToken cancellationToken)
    {
        await using (var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection))
        {
            tryLock.Parameters.Add(new NpgsqlParameter<long> { TypedValue = AdvisoryLockKey });
            if ((bool)(await tryLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return;
            }
        }

        logger.WaitingForMigrationLock();
        // lock_timeout bounds the wait for the advisory lock (a heavyweight lock); reset before any migration runs.
        await ExecuteAsync(connection, FormattableString.Invariant($"SET lock_timeout = {lockTimeoutMs}"), cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection) { CommandTimeout = 0 };
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = AdvisoryLockKey });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            throw new TimeoutException($"The migration lock (pg_advisory_lock {AdvisoryLockKey}) was not granted within {lockTimeoutMs} ms; another host holds it.", e);
        }
        finally
        {
            await ExecuteAsync(connection, "RESET lock_timeout", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task ReleaseLockAsync(NpgsqlConnection connection, ILogger logger)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = AdvisoryLockKey });
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            // The connection is broken: the server releases a session lock when the session ends.
            logger.MigrationUnlockFailed(ex);
        }
    }

    private static async Task<Dictionary<int, (string Name, string Checksum)>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, (string, string)>();
        await using var command = new NpgsqlCommand("SELECT version, name, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            applied[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2));
        }

        return applied;
    }

    private static async Task ApplyAsync(NpgsqlConnection connection, Migration migration, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction) { CommandTimeout = 0 })
            {
                await script.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Name });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Checksum });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            logger.MigrationFailed(e, migration.FileName);
            var detail = e is PostgresException pg
                ? $"{pg.SqlState}: {pg.MessageText}{(pg.Position > 0 ? FormattableString.Invariant($" at character {pg.Position}") : string.Empty)}"
                : e.Message;
            throw new PostgresMigrationException(migration.FileName,
                $"Migration {migration.FileName} failed and was rolled back; start-up stops. {detail}", e);
        }

        logger.MigrationApplied(migration.FileName, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
