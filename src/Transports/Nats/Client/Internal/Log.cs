using Microsoft.Extensions.Logging;

namespace SmsGateway.Transports.Nats.Client.Internal;

/// <summary>Source-generated log messages of the NATS client (event ids 4100-4199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "NATS connected to {Url} (server {Version})")]
    public static partial void Connected(ILogger logger, string url, string version);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "NATS connection to {Url} lost: {Reason}")]
    public static partial void Disconnected(ILogger logger, string url, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "NATS reconnected to {Url}")]
    public static partial void Reconnected(ILogger logger, string url);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "NATS reconnect to {Url} attempt {Attempt} failed: {Reason}")]
    public static partial void ReconnectFailed(ILogger logger, string url, int attempt, string reason);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "NATS server error: {Error}")]
    public static partial void ServerError(ILogger logger, string error);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "NATS connection to {Url} stale: {MaxPingOut} PINGs without PONG")]
    public static partial void StaleConnection(ILogger logger, string url, int maxPingOut);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Error, Message = "NATS message handler for {Subject} failed")]
    public static partial void HandlerFailed(ILogger logger, string subject, Exception exception);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "JetStream pull on {Stream}/{Consumer} ended: {Code} {Description}")]
    public static partial void PullStatus(ILogger logger, string stream, string consumer, int code, string description);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "JetStream pull on {Stream}/{Consumer}: no heartbeat or expiry in time; re-pulling")]
    public static partial void PullStalled(ILogger logger, string stream, string consumer);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Warning, Message = "JetStream pull on {Stream}/{Consumer} failed: {Reason}")]
    public static partial void PullFailed(ILogger logger, string stream, string consumer, string reason);
}
