using Microsoft.Extensions.Logging;

namespace SmsGateway;

/// <summary>Log messages of bulk sends (<c>POST /send/batch</c>), event ids 7200-7249.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 7200, Level = LogLevel.Warning, Message = "Batch of {Count} messages refused: {Running} batches are already being reserved and published")]
    public static partial void BatchSaturated(ILogger logger, int count, int running);

    [LoggerMessage(EventId = 7201, Level = LogLevel.Error, Message = "Batch reservation for user {UserId} failed; {Count} items answered 503")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string userId, int count);
}
