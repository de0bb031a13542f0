using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace SmsGateway.Transports.Nats;

/// <summary>Maps validated <see cref="NatsTransportOptions"/> onto NATS.Net's <see cref="NatsOpts"/>.</summary>
internal static class NatsClientOptions
{
    /// <summary>
    /// The connection settings: reconnect forever with backoff up to <see cref="NatsTransportOptions.ReconnectWaitMaxMs"/>,
    /// PINGs every <see cref="NatsTransportOptions.PingIntervalMs"/> (stale after 2 missed), headers case-sensitive and
    /// UTF-8 so that they pass through unchanged, subscription buffers as large as a group's max_ack_pending,
    /// authentication and TLS from the options.
    /// </summary>
    public static NatsOpts Create(NatsTransportOptions o, ILoggerFactory loggerFactory)
    {
        var requestTimeout = TimeSpan.FromMilliseconds(o.RequestTimeoutMs);
        var reconnectMax = TimeSpan.FromMilliseconds(o.ReconnectWaitMaxMs);
        return new NatsOpts
        {
            Url = o.Url,
            Name = o.ClientName,
            LoggerFactory = loggerFactory,
            ConnectTimeout = requestTimeout,
            RequestTimeout = requestTimeout,
            CommandTimeout = requestTimeout,
            PingInterval = TimeSpan.FromMilliseconds(o.PingIntervalMs),
            MaxPingOut = 2,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = reconnectMax < TimeSpan.FromMilliseconds(100) ? reconnectMax : TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = reconnectMax,
            ReconnectJitter = TimeSpan.FromMilliseconds(Math.Min(100, o.ReconnectWaitMaxMs / 4)),
            // A fetch buffers up to its batch (at most a group's max_ack_pending) before the loop moves it on; the default
            // 16384 with DropNewest could drop messages of a larger batch (they would come back only after the ack wait).
            SubPendingChannelCapacity = Math.Max(16_384, o.MaxAckPending),
            HeaderEncoding = System.Text.Encoding.UTF8,
            CaseSensitiveHeaders = true,
            AuthOpts = AuthOf(o),
            TlsOpts = new NatsTlsOpts
            {
                Mode = o.TlsMode,
                CaFile = o.TlsCaFile,
                CertFile = o.TlsCertFile,
                KeyFile = o.TlsKeyFile,
            },
        };
    }

    private static NatsAuthOpts AuthOf(NatsTransportOptions o)
    {
        if (o.Username is not null)
        {
            return new NatsAuthOpts { Username = o.Username, Password = o.Password };
        }

        if (o.Token is not null)
        {
            return new NatsAuthOpts { Token = o.Token };
        }

        if (o.NKeySeed is not null)
        {
            return new NatsAuthOpts { Seed = o.NKeySeed, NKey = NatsSecurityValidation.PublicKeyOf(o.NKeySeed) };
        }

        return o.CredsFile is not null ? new NatsAuthOpts { CredsFile = o.CredsFile } : NatsAuthOpts.Default;
    }
}
