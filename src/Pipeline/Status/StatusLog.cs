using Microsoft.Extensions.Logging;

namespace SmsGateway.Status;

/// <summary>Source-generated log messages of coalesced status publishing and batch decoding, with stable event ids (7430-7459).</summary>
internal static partial class StatusLog
{
    [LoggerMessage(EventId = 7430, Level = LogLevel.Warning, Message = "An sms-status message carrying {Count} status events was not published; each of its callers fails")]
    public static partial void FramePublishFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 7431, Level = LogLevel.Debug, Message = "Stopped waiting for the ack of status event {Status} of message {MessageId}; the event is still published with its message")]
    public static partial void WaitCut(ILogger logger, Guid messageId, string status);
}
