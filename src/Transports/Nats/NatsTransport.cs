using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats.Client;
using SmsGateway.Transports.Nats.Client.JetStream;
using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Transports.Nats;

/// <summary>
/// <see cref="IMessageTransport"/> over NATS JetStream with the project's own client. Streams (file storage):
/// <c>sms-express</c>, <c>sms-normal</c>, <c>sms-dlq</c> use work-queue retention (a message is removed once acked; one
/// consumer group per topic, whose members compete); <c>sms-status</c> uses limits retention with a max age, so several
/// groups (reporter, analytics) may each read every event and replay is possible. A group is a durable pull consumer.
/// </summary>
/// <remarks>
/// Thread-safe. The connection is opened and the streams are created (or verified/updated) on first use. Publish
/// completes on the JetStream PubAck and retries with the same <c>Nats-Msg-Id</c> (so at most once stored) until
/// <see cref="NatsTransportOptions.PublishTimeoutMs"/>. The connection reconnects by itself; pull loops resume.
/// </remarks>
public sealed partial class NatsTransport : IMessageTransport
{
    internal const string KeyHeader = "sms-key";
    private readonly NatsTransportOptions _options;
    private readonly FrozenDictionary<string, string> _subjects; // topic -> subject, built once (publish hot path)
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _setupLock = new(1, 1);
    private readonly List<NatsSubscription> _subscriptions = [];
    private readonly TimeSpan _attemptTimeout;
    private volatile bool _ready;
    private int _disposed;

    /// <summary>Creates the transport (connects lazily).</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public NatsTransport(NatsTransportOptions options, ILoggerFactory? loggerFactory)
    {
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _subjects = Topics.All.ToFrozenDictionary(t => t, _options.SubjectOf, StringComparer.Ordinal);
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<NatsTransport>();
        Connection = new NatsConnection(new NatsOpts
        {
            Url = _options.Url,
            Name = _options.ClientName,
            ConnectTimeout = TimeSpan.FromMilliseconds(_options.RequestTimeoutMs),
            RequestTimeout = TimeSpan.FromMilliseconds(_options.RequestTimeoutMs),
            PingInterval = TimeSpan.FromMilliseconds(_options.PingIntervalMs),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(_options.ReconnectWaitMaxMs),
            LoggerFactory = loggerFactory,
        });
        JetStream = new NatsJSContext(Connection);
        _attemptTimeout = TimeSpan.FromMilliseconds(Math.Min(_options.PublishTimeoutMs, _options.RequestTimeoutMs));
    }

    /// <summary>The options in use.</summary>
    public NatsTransportOptions Options => _options;

    /// <summary>The underlying connection (for diagnostics and tests).</summary>
    public NatsConnection Connection { get; }

    /// <summary>The JetStream context.</summary>
    public NatsJSContext JetStream { get; }

    /// <summary>Connects and creates (or verifies/updates) the five streams. Called by publish/subscribe on first use.</summary>
    /// <exception cref="TransportException">The server is unreachable or refused the topology.</exception>
    public async ValueTask EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _setupLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            await Connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
            foreach (var config in StreamConfigs())
            {
                await CreateOrUpdateStreamAsync(config, cancellationToken).ConfigureAwait(false);
            }

            _ready = true;
        }
        catch (NatsException ex)
        {
            throw new TransportException($"NATS setup at {_options.Url} failed: {ex.Message}", ex);
        }
        finally
        {
            _setupLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        NatsSubscription[] subs;
        lock (_subscriptions)
        {
            subs = [.. _subscriptions];
            _subscriptions.Clear();
        }

        foreach (var sub in subs)
        {
            await sub.DisposeAsync().ConfigureAwait(false);
        }

        await Connection.DisposeAsync().ConfigureAwait(false);
    }

    internal void Forget(NatsSubscription subscription)
    {
        lock (_subscriptions)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private IEnumerable<StreamConfig> StreamConfigs()
    {
        foreach (var topic in Topics.All)
        {
            var isStatus = topic == Topics.Status;
            yield return new StreamConfig
            {
                Name = _options.StreamOf(topic),
                Subjects = [_options.SubjectOf(topic)],
                Retention = isStatus ? StreamConfigRetention.Limits : StreamConfigRetention.Workqueue,
                Storage = _options.Storage,
                NumReplicas = _options.Replicas,
                MaxAge = isStatus ? _options.StatusMaxAge : TimeSpan.Zero,
                DuplicateWindow = _options.DuplicateWindow,
            };
        }

        yield return new StreamConfig
        {
            Name = _options.DeadStream,
            Subjects = [$"{_options.SubjectPrefix}.dead.>"],
            Retention = StreamConfigRetention.Limits,
            Storage = _options.Storage,
            NumReplicas = _options.Replicas,
            MaxAge = _options.DeadLetterMaxAge,
            DuplicateWindow = _options.DuplicateWindow,
        };
    }

    private async ValueTask CreateOrUpdateStreamAsync(StreamConfig config, CancellationToken cancellationToken)
    {
        try
        {
            await JetStream.CreateStreamAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == 10058)
        {
            // exists with another configuration (e.g. a changed max age): update what may be updated
            TransportLog.StreamUpdated(_logger, config.Name);
            await JetStream.UpdateStreamAsync(config, cancellationToken).ConfigureAwait(false);
        }
    }
}
