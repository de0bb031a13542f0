namespace SmsGateway.Host.Admin;

/// <summary>Source-generated log messages of the admin endpoints (event ids of issue 12's outage work, 7080-7089).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(7080, LogLevel.Warning, "Dead letters replayed by an admin (trace {TraceId}): {Replayed} replayed, {NotFound} not found, topic {Topic}")]
    public static partial void Replayed(ILogger logger, string traceId, int replayed, int notFound, string topic);

    [LoggerMessage(7081, LogLevel.Error, "The transport's dead-letter store could not be read or written (trace {TraceId})")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string traceId);
}
