using Microsoft.Extensions.Logging;

namespace SmsGateway.Host.Accounts;

/// <summary>Log events of the caches of store rows on the accept path (<see cref="RevalidatingCache{TKey, TValue}"/>; 7510-7529).</summary>
internal static partial class StoreCacheLog
{
    [LoggerMessage(EventId = 7510, Level = LogLevel.Warning,
        Message = "Cache {Cache}: the store is unreachable; copies up to {StaleLimitSeconds:0} s old keep serving, keys with no copy are refused after at most {ColdWaitMs:0} ms (logged once per outage; failures counted in sms.store_cache.read_failures)")]
    public static partial void StoreUnreachable(ILogger logger, string cache, double staleLimitSeconds, double coldWaitMs, Exception exception);

    [LoggerMessage(EventId = 7511, Level = LogLevel.Information,
        Message = "Cache {Cache}: the store answers again after {Failures} failed reads over {Seconds:0.0} s")]
    public static partial void StoreReachable(ILogger logger, string cache, long failures, double seconds);
}
