namespace SmsGateway.Host.Api;

/// <summary>Details kept out of problem answers (event ids 1200-1209): the log has them, with the request's trace id.</summary>
internal static partial class ProblemLog
{
    [LoggerMessage(1200, LogLevel.Error, "A dependency is unavailable (trace {TraceId})")]
    public static partial void DependencyUnavailable(ILogger logger, Exception exception, string traceId);

    [LoggerMessage(1201, LogLevel.Warning, "Accept failed (trace {TraceId}): {Detail}")]
    public static partial void AcceptUnavailable(ILogger logger, string detail, string traceId);

    [LoggerMessage(1202, LogLevel.Warning, "An Idempotency-Key could not be {Outcome}: the idempotency store is unavailable; it expires by itself")]
    public static partial void IdempotencyKeyNotSettled(ILogger logger, Exception exception, string outcome);

    [LoggerMessage(1203, LogLevel.Debug, "Accept refused by an open circuit (trace {TraceId}): {Detail}")]
    public static partial void AcceptRefusedFast(ILogger logger, string detail, string traceId);

    [LoggerMessage(7210, LogLevel.Error, "CSV export aborted after {Rows} rows: the status store failed (trace {TraceId})")]
    public static partial void ExportAborted(ILogger logger, Exception exception, int rows, string traceId);
}
