using Microsoft.Extensions.Logging;

namespace SmsGateway.Redis;

/// <summary>Log lines of the Redis rate limiter (event ids 3300-3309).</summary>
internal static partial class RedisAccessLog
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning, Message = "Rate limiter call on {Endpoint} failed")]
    public static partial void LimiterFailed(ILogger logger, string endpoint, Exception exception);
}
