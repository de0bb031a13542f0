using Microsoft.Extensions.Logging;

namespace SmsGateway.Redis;

/// <summary>Source-generated log messages of the Redis adapters (event ids 3100–3199).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Redis {Endpoint}: not connected yet; reconnecting in the background")]
    public static partial void NotConnectedYet(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Redis {Endpoint}: loading the Lua scripts failed; each is sent whole on its first NOSCRIPT reply")]
    public static partial void ScriptsNotLoaded(ILogger logger, Exception exception, string endpoint);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "Ledger call {Operation} for user {UserId} failed")]
    public static partial void LedgerFailed(ILogger logger, Exception exception, string operation, string userId);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "Ledger refused a reservation batch of user {UserId}: fencing token {Token} is stale")]
    public static partial void StaleToken(ILogger logger, string userId, long token);

    [LoggerMessage(EventId = 3122, Level = LogLevel.Warning, Message = "Lock {Resource} lost: {Reason}")]
    public static partial void LockLost(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 3123, Level = LogLevel.Debug, Message = "Lock {Resource} not acquired: {Status} after {Attempts} attempts")]
    public static partial void LockNotAcquired(ILogger logger, string resource, Locking.DistributedLockStatus status, int attempts);

    [LoggerMessage(EventId = 3124, Level = LogLevel.Warning, Message = "Lock {Resource} granted but no fencing token: {Reason}; released")]
    public static partial void FenceFailed(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 3125, Level = LogLevel.Warning, Message = "Lock {Resource}: releasing the lost grant failed")]
    public static partial void LockReleaseFailed(ILogger logger, Exception exception, string resource);

    [LoggerMessage(EventId = 3130, Level = LogLevel.Warning, Message = "Idempotency call {Operation} failed")]
    public static partial void IdempotencyFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "Pending-reservation index held a malformed entry '{Member}'; removed")]
    public static partial void MalformedPendingEntry(ILogger logger, string member);
}
