using Microsoft.Extensions.Logging;

namespace SmsGateway.Redis;

/// <summary>Source-generated log messages of the Redis adapters (event ids 3100–3199).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Redis {Endpoint}: connection failed")]
    public static partial void ConnectFailed(ILogger logger, Exception exception, string endpoint);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Redis {Endpoint}: not connected yet; reconnecting in the background")]
    public static partial void NotConnectedYet(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Redis {Endpoint}: server forgot a script (NOSCRIPT); sending it again")]
    public static partial void ScriptReloaded(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "Ledger call {Operation} for user {UserId} failed")]
    public static partial void LedgerFailed(ILogger logger, Exception exception, string operation, string userId);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "Ledger refused a reservation batch of user {UserId}: fencing token {Token} is stale")]
    public static partial void StaleToken(ILogger logger, string userId, long token);

    [LoggerMessage(EventId = 3120, Level = LogLevel.Debug, Message = "Lock node {Endpoint} failed for {Resource}")]
    public static partial void LockNodeFailed(ILogger logger, Exception exception, string endpoint, string resource);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Warning, Message = "Lock node {Endpoint} timed out; skipping it for {SuspendMs} ms")]
    public static partial void LockNodeSuspended(ILogger logger, string endpoint, int suspendMs);

    [LoggerMessage(EventId = 3122, Level = LogLevel.Warning, Message = "Lock {Resource} lost: {Reason}")]
    public static partial void LockLost(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 3123, Level = LogLevel.Debug, Message = "Lock {Resource} not acquired: {Status} after {Attempts} attempts")]
    public static partial void LockNotAcquired(ILogger logger, string resource, Locking.DistributedLockStatus status, int attempts);

    [LoggerMessage(EventId = 3130, Level = LogLevel.Warning, Message = "Idempotency call {Operation} failed")]
    public static partial void IdempotencyFailed(ILogger logger, Exception exception, string operation);
}
