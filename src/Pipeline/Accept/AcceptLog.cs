using Microsoft.Extensions.Logging;

namespace SmsGateway.Accept;

/// <summary>Log lines of fail-fast, admission control and the embedded drain (event ids 7100-7149).</summary>
internal static partial class AcceptLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Warning, Message = "Accept dependency {Dependency} is unreachable ({Reason}); /send answers 503 at once, next trial in {BreakMs} ms")]
    public static partial void CircuitOpened(ILogger logger, AcceptDependency dependency, string reason, double breakMs);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Accept dependency {Dependency} answers again; /send accepts")]
    public static partial void CircuitClosed(ILogger logger, AcceptDependency dependency);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Accept partition {Partition} is saturated: queueing delay {DelayMs} ms over the {BudgetMs} ms budget; /send answers 429")]
    public static partial void Saturated(ILogger logger, int partition, double delayMs, double budgetMs);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Publish of message {MessageId} was not confirmed within the accept deadline; its reservation is withdrawn (a copy the broker stored is never sent) and it is answered 503 (429 when the publish was given less than half the deadline), or 202 when its sending had already started")]
    public static partial void PublishPastDeadline(ILogger logger, Guid messageId);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "The accept deadline passed before user {UserId}'s lock use completed; {Count} requests answered 429 (a lock acquisition still running is judged by its outcome when it ends)")]
    public static partial void LockPastDeadline(ILogger logger, string userId, int count);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning, Message = "The accept deadline ran out in a call to the {Dependency} for {Count} requests: the call was given {GivenMs} ms of the {DeadlineMs} ms, and the miss was handled {LateMs} ms after the deadline; {Verdict}")]
    public static partial void DeadlineMissed(ILogger logger, AcceptDependency dependency, int count, double givenMs, double deadlineMs, double lateMs, string verdict);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Error, Message = "Accept of {Count} requests failed unexpectedly; each unanswered one is answered 503 (nothing charged, or the expiry sweep refunds)")]
    public static partial void BatchFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "Draining the in-memory transport before stopping: {Pending} accepted messages not yet settled")]
    public static partial void DrainStarted(ILogger logger, long pending);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Information, Message = "In-memory transport drained in {ElapsedMs} ms: every accepted message was settled")]
    public static partial void Drained(ILogger logger, double elapsedMs);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Error, Message = "Shutdown timeout hit with {Pending} accepted messages unsent in the in-memory transport: {Failed} settled as failed and refunded, {Lost} lost with the process")]
    public static partial void DrainIncomplete(ILogger logger, long pending, int failed, long lost);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Warning, Message = "A frame of {Count} messages (first {MessageId}) whose publish ack missed the accept deadline, and whose withdrawal could not reach the ledger, was published again and is stored: answered 202")]
    public static partial void PublishedAgain(ILogger logger, int count, Guid messageId);

    [LoggerMessage(EventId = 7109, Level = LogLevel.Warning, Message = "An earlier request of user {UserId} in this process held the user's lock lease past the lock wait; {Count} requests answered 429")]
    public static partial void UserBusy(ILogger logger, string userId, int count);

    [LoggerMessage(EventId = 7108, Level = LogLevel.Error, Message = "A frame of {Count} messages (first {MessageId}) whose publish ack missed the accept deadline, and whose withdrawal could not reach the ledger, could not be published again: answered 503; a copy the broker stored may still be sent and charged")]
    public static partial void PublishAgainFailed(ILogger logger, Exception exception, int count, Guid messageId);
}
