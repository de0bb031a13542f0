using Microsoft.Extensions.Logging;

namespace SmsGateway.Locking;

/// <summary>Log lines of <see cref="LockLeases"/> (event ids 7400-7429).</summary>
internal static partial class LockLeaseLog
{
    [LoggerMessage(EventId = 7400, Level = LogLevel.Warning, Message = "Lock lease on {Resource} (fencing token {Token}) was lost before its next use ({Status}, after {Uses} uses, {HeldMs} ms held); not used, a new grant is acquired")]
    public static partial void Lost(ILogger logger, string resource, long token, DistributedLockStatus status, int uses, double heldMs);

    [LoggerMessage(EventId = 7401, Level = LogLevel.Warning, Message = "Releasing the lock lease on {Resource} failed; its keys expire by themselves within the lock expiry")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, string resource);

    [LoggerMessage(EventId = 7403, Level = LogLevel.Warning, Message = "A lock acquisition on {Resource} that outlived its caller's wait failed; nothing is kept")]
    public static partial void LateAcquireFailed(ILogger logger, Exception exception, string resource);

    [LoggerMessage(EventId = 7404, Level = LogLevel.Debug, Message = "A lock acquisition on {Resource} that outlived its caller's wait stopped at that caller's cancellation; nothing was granted")]
    public static partial void LateAcquireCancelled(ILogger logger, Exception exception, string resource);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Information, Message = "Released {Count} kept lock leases at stop")]
    public static partial void ReleasedAll(ILogger logger, int count);
}
