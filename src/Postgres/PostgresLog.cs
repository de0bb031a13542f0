using Microsoft.Extensions.Logging;

namespace SmsGateway.Postgres;

/// <summary>Source-generated log messages of this assembly (event ids 6000-6099).</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(6000, LogLevel.Information, "Waiting for the migration lock (another host may be migrating)")]
    public static partial void WaitingForMigrationLock(this ILogger logger);

    [LoggerMessage(6001, LogLevel.Information, "Applied migration {FileName} in {ElapsedMs} ms")]
    public static partial void MigrationApplied(this ILogger logger, string fileName, long elapsedMs);

    [LoggerMessage(6002, LogLevel.Information, "Database schema is at version {Version}; {Applied} migration(s) applied now")]
    public static partial void MigrationsDone(this ILogger logger, int version, int applied);

    [LoggerMessage(6003, LogLevel.Warning, "Database has migration {Version} ({Name}) that this build does not know; a newer host may have applied it")]
    public static partial void UnknownMigration(this ILogger logger, int version, string name);

    [LoggerMessage(6004, LogLevel.Error, "Migration {FileName} failed")]
    public static partial void MigrationFailed(this ILogger logger, Exception exception, string fileName);

    [LoggerMessage(6005, LogLevel.Warning, "Releasing the migration lock failed; the server releases it when the connection closes")]
    public static partial void MigrationUnlockFailed(this ILogger logger, Exception exception);

    [LoggerMessage(6010, LogLevel.Warning, "Writing a batch of {Count} status events failed")]
    public static partial void WriteFailed(this ILogger logger, Exception exception, int count);

    [LoggerMessage(6011, LogLevel.Warning, "Report query failed")]
    public static partial void QueryFailed(this ILogger logger, Exception exception);
}
