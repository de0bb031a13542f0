using Microsoft.Extensions.Logging;

namespace SmsGateway.Scheduling;

/// <summary>Source-generated log messages of scheduling, validity and cancel, with stable event ids (7300-7349).</summary>
internal static partial class SchedulingLog
{
    [LoggerMessage(EventId = 7300, Level = LogLevel.Error, Message = "Releasing due scheduled messages failed; they stay waiting and are tried again")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Warning, Message = "The scheduler's fencing token {Token} was stale; another scheduler released since; nothing released")]
    public static partial void StaleToken(ILogger logger, long token);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Debug, Message = "Released {Count} scheduled messages")]
    public static partial void Released(ILogger logger, int count);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Error, Message = "Storing scheduled message {MessageId} failed; reservation refunded, answered 503")]
    public static partial void StoreFailed(ILogger logger, Exception exception, Guid messageId);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Information, Message = "Message {MessageId} attempt {Attempt} expired (valid until {ValidUntil:o}); not sent, refund {Outcome}")]
    public static partial void Expired(ILogger logger, Guid messageId, int attempt, DateTimeOffset validUntil, Billing.SettleOutcome outcome);

    [LoggerMessage(EventId = 7306, Level = LogLevel.Information, Message = "Message {MessageId} of user {UserId}: cancel {Outcome}")]
    public static partial void Cancel(ILogger logger, Guid messageId, string userId, Billing.CancelOutcome outcome);

    [LoggerMessage(EventId = 7307, Level = LogLevel.Warning, Message = "The scheduler lost its lock while releasing ({Status}); the rest waits for the next holder")]
    public static partial void LockLost(ILogger logger, Locking.DistributedLockStatus status);
}
