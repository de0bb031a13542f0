using Microsoft.Extensions.Logging;

namespace SmsGateway.Transports.Kafka.Diagnostics;

/// <summary>Source-generated log messages of the Kafka transport (event ids 5100-5199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5100, Message = "librdkafka {Facility} ({Client}): {Text}")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string facility, string client, string text);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Kafka {Role} error (retriable by librdkafka): {Code} {Reason}")]
    public static partial void TransientError(ILogger logger, string role, string code, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Critical, Message = "Kafka {Role} fatal error: {Code} {Reason}")]
    public static partial void FatalError(ILogger logger, string role, string code, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Group {Group} on {Topic}: assigned partitions {Partitions}")]
    public static partial void Assigned(ILogger logger, string group, string topic, string partitions);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "Group {Group} on {Topic}: revoked partitions {Partitions} (acknowledged offsets committed)")]
    public static partial void Revoked(ILogger logger, string group, string topic, string partitions);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Group {Group} on {Topic}: lost partitions {Partitions}; their in-flight messages go to the new owner")]
    public static partial void Lost(ILogger logger, string group, string topic, string partitions);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Group {Group} on {Topic}: offset commit failed: {Reason}")]
    public static partial void CommitFailed(ILogger logger, string group, string topic, string reason);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Information, Message = "Group {Group} on {Topic}: subscription stopped")]
    public static partial void Stopped(ILogger logger, string group, string topic);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Warning, Message = "Group {Group} on {Topic}: consume error: {Code} {Reason}")]
    public static partial void ConsumeError(ILogger logger, string group, string topic, string code, string reason);

    [LoggerMessage(EventId = 5109, Level = LogLevel.Error, Message = "Group {Group} on {Topic}: consume loop failed")]
    public static partial void LoopFailed(ILogger logger, string group, string topic, Exception exception);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Warning, Message = "Kafka producer flush on dispose left {Count} messages unconfirmed")]
    public static partial void FlushIncomplete(ILogger logger, int count);

    [LoggerMessage(EventId = 7070, Level = LogLevel.Warning, Message = "Kafka message of {Topic} dead-lettered to {DeadTopic}: {Reason}")]
    public static partial void DeadLettered(ILogger logger, string topic, string deadTopic, string reason);

    [LoggerMessage(EventId = 7071, Level = LogLevel.Information, Message = "Kafka dead letter {Id} replayed to {Topic}")]
    public static partial void Replayed(ILogger logger, string id, string topic);

    [LoggerMessage(EventId = 5190, Level = LogLevel.Debug, Message = "Kafka readiness probe: no metadata ({Code} {Reason})")]
    public static partial void ProbeFailed(ILogger logger, Confluent.Kafka.ErrorCode code, string reason);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Warning, Message = "Kafka producer warm-up: no metadata for {Topic} within {TimeoutMs} ms; start-up goes on and the first publishes may fail")]
    public static partial void WarmUpIncomplete(ILogger logger, string topic, int timeoutMs);

    /// <summary>Maps a syslog level (librdkafka's) to a log level; librdkafka chatter stays at debug.</summary>
    public static LogLevel FromSyslog(int level) => level switch
    {
        <= 2 => LogLevel.Critical,
        3 => LogLevel.Error,
        4 => LogLevel.Warning,
        5 or 6 => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
