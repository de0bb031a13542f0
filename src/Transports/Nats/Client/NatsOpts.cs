using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SmsGateway.Transports.Nats.Client;

/// <summary>
/// Settings of a <see cref="NatsConnection"/> (shaped like NATS.Client.Core's <c>NatsOpts</c>). Copied at construction.
/// </summary>
public sealed record NatsOpts
{
    /// <summary>Server URL, <c>nats://host:port</c> (port defaults to 4222). Default <c>nats://127.0.0.1:4222</c>.</summary>
    public string Url { get; init; } = "nats://127.0.0.1:4222";

    /// <summary>Client name sent in CONNECT (visible in the server's monitoring). Default <c>smsgateway</c>.</summary>
    public string Name { get; init; } = "smsgateway";

    /// <summary>Whether the server echoes this connection's own publishes to its own subscriptions. Default true.</summary>
    public bool Echo { get; init; } = true;

    /// <summary>Time allowed for TCP connect + INFO/CONNECT/PONG handshake. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Default time a request waits for its reply. Default 5 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Interval between client PINGs (keep-alive and stale detection). Default 30 s.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>PINGs without a PONG after which the connection is declared stale and re-established. Default 2.</summary>
    public int MaxPingOut { get; init; } = 2;

    /// <summary>First reconnect delay; doubles per failed attempt up to <see cref="ReconnectWaitMax"/>. Default 50 ms.</summary>
    public TimeSpan ReconnectWaitMin { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Largest reconnect delay (before jitter). Default 2 s.</summary>
    public TimeSpan ReconnectWaitMax { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Random extra delay, uniform in [0, jitter], added to each reconnect wait. Default 100 ms.</summary>
    public TimeSpan ReconnectJitter { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Reconnect attempts before giving up; -1 for never. Default -1.</summary>
    public int MaxReconnectRetry { get; init; } = -1;

    /// <summary>Bytes buffered for writing before publishers wait (backpressure). Default 1 MiB.</summary>
    public int WriterBufferSize { get; init; } = 1024 * 1024;

    /// <summary>Capacity of a core subscription's message channel; further messages are dropped and counted. Default 4096.</summary>
    public int SubPendingChannelCapacity { get; init; } = 4096;

    /// <summary>Prefix of reply subjects for requests. Default <c>_INBOX</c>.</summary>
    public string InboxPrefix { get; init; } = "_INBOX";

    /// <summary>Logger factory. Default none.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Shared defaults.</summary>
    public static NatsOpts Default { get; } = new();

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range or the URL is malformed.</exception>
    public NatsOpts Validate()
    {
        _ = ParseUrl(Url);
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(InboxPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PingInterval, TimeSpan.Zero, nameof(PingInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPingOut, 1, nameof(MaxPingOut));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectWaitMin, TimeSpan.Zero, nameof(ReconnectWaitMin));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectWaitMax, ReconnectWaitMin, nameof(ReconnectWaitMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectJitter, TimeSpan.Zero, nameof(ReconnectJitter));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReconnectRetry, -1, nameof(MaxReconnectRetry));
        ArgumentOutOfRangeException.ThrowIfLessThan(WriterBufferSize, 4096, nameof(WriterBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(SubPendingChannelCapacity, 1, nameof(SubPendingChannelCapacity));
        ArgumentNullException.ThrowIfNull(LoggerFactory);
        return this;
    }

    /// <summary>Host and port of <paramref name="url"/>.</summary>
    internal static (string Host, int Port) ParseUrl(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var withScheme = url.Contains("://", StringComparison.Ordinal) ? url : "nats://" + url;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme != "nats" || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"'{url}' is not a nats://host:port URL", nameof(url));
        }

        return (uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 4222 : uri.Port);
    }
}
