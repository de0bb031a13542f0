using Microsoft.Extensions.Logging;

namespace SmsGateway.Transports.Nats;

/// <summary>Source-generated log messages of the NATS transport (event ids 4200-4299).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "NATS publish to {Subject} attempt {Attempt} not confirmed ({Reason}); retrying with the same id")]
    public static partial void PublishRetry(ILogger logger, string subject, int attempt, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "NATS message {Topic}#{Sequence} dead-lettered after {Deliveries} deliveries")]
    public static partial void DeadLettered(ILogger logger, string topic, ulong sequence, long deliveries);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Error, Message = "NATS dead-lettering of a {Topic} message failed ({Reason}); nak'ed to retry")]
    public static partial void DeadLetterFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "NATS fetch for {Topic}/{Group} failed ({Reason}); pulling again in {BackoffMs} ms")]
    public static partial void PullFailed(ILogger logger, string topic, string group, string reason, int backoffMs);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Error, Message = "NATS subscription {Topic}/{Group} stopped: {Reason}")]
    public static partial void SubscriptionFailed(ILogger logger, string topic, string group, string reason);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Warning, Message = "NATS settle of a {Topic} message not sent ({Reason}); redelivered after the ack wait")]
    public static partial void SettleFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 7060, Level = LogLevel.Warning, Message = "NATS message {Topic}#{Sequence} dead-lettered: {Reason}")]
    public static partial void DeadLetteredFor(ILogger logger, string topic, ulong sequence, string reason);

    [LoggerMessage(EventId = 7061, Level = LogLevel.Information, Message = "NATS dead letter {DeadSequence} replayed to {Topic}")]
    public static partial void Replayed(ILogger logger, ulong deadSequence, string topic);

    [LoggerMessage(EventId = 4207, Level = LogLevel.Debug, Message = "NATS replay consumer on {Stream} not deleted ({Reason}); the server removes it when idle")]
    public static partial void ReplayConsumerNotDeleted(ILogger logger, string stream, string reason);

    [LoggerMessage(EventId = 4290, Level = LogLevel.Debug, Message = "NATS readiness probe could not connect ({Reason})")]
    public static partial void ProbeFailed(ILogger logger, string reason);
}
