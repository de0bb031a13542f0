using System.Net;

namespace SmsGateway.Host.Access;

/// <summary>Log lines of authentication, authorization and limits (event ids 1300-1399).</summary>
internal static partial class AccessLog
{
    [LoggerMessage(1300, LogLevel.Warning, "Open development mode: no Auth:AdminKeys and no Auth:Jwt, embedded profile bound to loopback; every request is served as admin WITHOUT authentication. Configure Auth:AdminKeys before exposing this host.")]
    public static partial void OpenMode(ILogger logger);

    [LoggerMessage(1301, LogLevel.Information, "Authentication failed from {Ip}: {Reason}")]
    public static partial void AuthFailed(ILogger logger, IPAddress? ip, string reason);

    [LoggerMessage(1302, LogLevel.Warning, "Blocked {Ip} for {Seconds} s after repeated authentication failures")]
    public static partial void Blocked(ILogger logger, IPAddress? ip, int seconds);

    [LoggerMessage(1303, LogLevel.Error, "The key store is unavailable (trace {TraceId})")]
    public static partial void StoreUnavailable(ILogger logger, Exception exception, string traceId);

    [LoggerMessage(1304, LogLevel.Information, "API key {KeyId} issued for {UserId}")]
    public static partial void KeyIssued(ILogger logger, string keyId, string userId);

    [LoggerMessage(1305, LogLevel.Information, "API key {KeyId} of {UserId} revoked")]
    public static partial void KeyRevoked(ILogger logger, string keyId, string userId);

    [LoggerMessage(1306, LogLevel.Error, "The shared rate limiter is unavailable; request allowed (trace {TraceId})")]
    public static partial void LimiterUnavailable(ILogger logger, Exception exception, string traceId);
}
