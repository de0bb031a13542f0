using Microsoft.Extensions.Logging;

namespace SmsGateway;

/// <summary>Source-generated log messages of the pipeline, with stable event ids (2000-2999).</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Pipeline started with roles {Roles}")]
    public static partial void Started(ILogger logger, PipelineRoles roles);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Pipeline stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Pipeline shutdown did not finish within {TimeoutMs} ms; unacknowledged work is left for redelivery")]
    public static partial void ShutdownTimedOut(ILogger logger, double timeoutMs);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Lock for user {UserId} not acquired ({Status}); {Count} requests answered 503")]
    public static partial void LockNotAcquired(ILogger logger, string userId, Locking.DistributedLockStatus status, int count);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "Reservation for user {UserId} failed; {Count} requests answered 503 (429 when cut off by the accept deadline having been given less than half of it)")]
    public static partial void ReserveFailed(ILogger logger, Exception exception, string userId, int count);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Error, Message = "Publish of message {MessageId} failed; reservation refunded, answered 503")]
    public static partial void PublishFailed(ILogger logger, Exception exception, Guid messageId);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Fencing token of lock {Resource} was stale; {Count} requests answered 503")]
    public static partial void StaleToken(ILogger logger, string resource, int count);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Error, Message = "Refund of message {MessageId} after a failed publish failed; the reservation stays until reconciled")]
    public static partial void CompensationFailed(ILogger logger, Exception exception, Guid messageId);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Error, Message = "Undecodable payload on {Topic}; dropped (acked)")]
    public static partial void PoisonMessage(ILogger logger, Exception exception, string topic);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "Side effects of message {MessageId} attempt {Attempt} failed; delivery nak'ed for redelivery")]
    public static partial void DispatchSideEffectFailed(ILogger logger, Exception exception, Guid messageId, int attempt);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Error, Message = "Consumer loop for {Topic} failed")]
    public static partial void ConsumerFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Warning, Message = "Message {MessageId} names operator {Operator}, which the routing table no longer has; failing it")]
    public static partial void UnknownOperator(ILogger logger, Guid messageId, string @operator);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Error, Message = "Status batch of {Count} events failed; nak'ed for redelivery")]
    public static partial void StatusBatchFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Warning, Message = "Status event {Status} of message {MessageId} could not be published")]
    public static partial void StatusPublishFailed(ILogger logger, Exception exception, Guid messageId, string status);

    [LoggerMessage(EventId = 2040, Level = LogLevel.Warning, Message = "Delivery status of message {MessageId} could not be published (try {Attempt}); retrying")]
    public static partial void ReceiptPublishFailed(ILogger logger, Exception exception, Guid messageId, int attempt);

    [LoggerMessage(EventId = 7050, Level = LogLevel.Error, Message = "Undecodable payload on {Topic} (delivery {DeliveryCount}); moved to the dead-letter store")]
    public static partial void PoisonDeadLettered(ILogger logger, Exception exception, string topic, int deliveryCount);

    [LoggerMessage(EventId = 7051, Level = LogLevel.Error, Message = "Undecodable payload on {Topic} could not be dead-lettered; nak'ed for {DelayMs} ms")]
    public static partial void DeadLetterFailed(ILogger logger, Exception exception, string topic, double delayMs);

    [LoggerMessage(EventId = 7052, Level = LogLevel.Error, Message = "Consumer of {Topic} (group {Group}) ended on a fault; subscribing again in {DelayMs} ms (restart {Restart})")]
    public static partial void ConsumerRestarting(ILogger logger, Exception exception, string topic, string group, double delayMs, int restart);

    [LoggerMessage(EventId = 7053, Level = LogLevel.Error, Message = "A StatusPublished subscriber threw on {Status} of message {MessageId}; ignored (the event is stored and settled)")]
    public static partial void StatusSubscriberFailed(ILogger logger, Exception exception, Guid messageId, string status);

    [LoggerMessage(EventId = 7054, Level = LogLevel.Warning, Message = "{Operation} of message {MessageId} found the reservation {Outcome}; reporting the status that matches the ledger")]
    public static partial void SettleMismatch(ILogger logger, string operation, Guid messageId, Billing.SettleOutcome outcome);

    [LoggerMessage(EventId = 7055, Level = LogLevel.Information, Message = "Message {MessageId} attempt {Attempt}: {Outcome} before send; not sent")]
    public static partial void NotSent(ILogger logger, Guid messageId, int attempt, Billing.BeginSendOutcome outcome);

    [LoggerMessage(EventId = 7056, Level = LogLevel.Warning, Message = "Message {MessageId} attempt {Attempt} was started before and never settled (crash or lost ack); sending it again (at-least-once window)")]
    public static partial void AttemptResent(ILogger logger, Guid messageId, int attempt);

    [LoggerMessage(EventId = 7062, Level = LogLevel.Warning, Message = "Message {MessageId} attempt {Attempt} started {StartedAgoMs} ms ago in another delivery that may still be settling; this copy is not sent, nak'ed for {DelayMs} ms")]
    public static partial void AttemptInProgress(ILogger logger, Guid messageId, int attempt, double startedAgoMs, double delayMs);

    [LoggerMessage(EventId = 7063, Level = LogLevel.Error, Message = "Dispatch of message {MessageId} attempt {Attempt} to {Operator} threw; its delivery is left unsettled and comes back after the broker's ack wait")]
    public static partial void SendThrew(ILogger logger, Exception exception, Guid messageId, int attempt, string @operator);

    [LoggerMessage(EventId = 7057, Level = LogLevel.Warning, Message = "Begin-send of message {MessageId} attempt {Attempt} failed (ledger unavailable); nak'ed for {DelayMs} ms")]
    public static partial void BeginSendFailed(ILogger logger, Exception exception, Guid messageId, int attempt, double delayMs);

    [LoggerMessage(EventId = 7058, Level = LogLevel.Warning, Message = "Side effects of message {MessageId} attempt {Attempt} failed (delivery {DeliveryCount}); nak'ed for {DelayMs} ms, not counted as an attempt")]
    public static partial void OutageNak(ILogger logger, Exception exception, Guid messageId, int attempt, int deliveryCount, double delayMs);

    [LoggerMessage(EventId = 7059, Level = LogLevel.Warning, Message = "Status store write of {Count} events failed; nak'ed for {DelayMs} ms (delivery {DeliveryCount}); the consumer holds at most {Held} events meanwhile")]
    public static partial void StatusWriteBackoff(ILogger logger, Exception exception, int count, double delayMs, int deliveryCount, int held);
}
