using Microsoft.Extensions.Logging;

namespace SmsGateway.Billing;

/// <summary>Source-generated log messages of reservation confirm and expiry (event ids 7000-7049).</summary>
internal static partial class ReservationLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Ledger call {Operation} failed (attempt {Attempt}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, Exception? exception, string operation, int attempt, double delayMs);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Confirm of {Count} stored messages of user {UserId} failed after every retry; unless their sending starts first, the expiry sweep refunds them {DeadlineMs} ms after their reserve and they fail unsent")]
    public static partial void ConfirmFailed(ILogger logger, Exception exception, string userId, int count, double deadlineMs);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Message {MessageId} of user {UserId} was stored after its reservation expired and was refunded; it fails unsent")]
    public static partial void ConfirmedTooLate(ILogger logger, Guid messageId, string userId);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Reservation of message {MessageId} (user {UserId}, {Amount} minor units, reserved at {ReservedAt:O}) was never confirmed stored; refunded")]
    public static partial void ReservationExpired(ILogger logger, Guid messageId, string userId, long amount, DateTimeOffset reservedAt);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "Reservation sweep failed; next try in {IntervalMs} ms")]
    public static partial void SweepFailed(ILogger logger, Exception exception, double intervalMs);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Error, Message = "Status rejected (reservation_expired) of message {MessageId} could not be published; the reservation is refunded")]
    public static partial void ExpiredStatusFailed(ILogger logger, Exception exception, Guid messageId);
}
