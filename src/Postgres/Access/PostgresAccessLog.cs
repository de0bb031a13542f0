using Microsoft.Extensions.Logging;

namespace SmsGateway.Postgres;

/// <summary>Log lines of the PostgreSQL key store (event ids 6100-6109).</summary>
internal static partial class PostgresAccessLog
{
    [LoggerMessage(6100, LogLevel.Warning, "Key store call '{Operation}' failed")]
    public static partial void Failed(ILogger logger, string operation, Exception exception);
}
