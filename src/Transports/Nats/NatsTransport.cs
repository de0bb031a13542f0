using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

/// <summary>
/// <see cref="IMessageTransport"/> over NATS JetStream with NATS.Net (NATS.Client.Core / NATS.Client.JetStream). Streams
/// (file storage): <c>sms-express</c>, <c>sms-normal</c>, <c>sms-dlq</c> use work-queue retention (a message is removed
/// once acked; one consumer group per topic, whose members compete); <c>sms-status</c> uses limits retention with a max
/// age, so several groups (reporter, analytics) may each read every event and replay is possible. A group is a durable
/// pull consumer.
/// </summary>
/// <remarks>
/// Thread-safe. The connection is opened and the streams are created (or updated), and verified against the
/// configuration the server returns, on first use (<see cref="NatsTopology"/>). Publish completes on the JetStream
/// PubAck and retries with the same <c>Nats-Msg-Id</c> (so at most once stored) until
/// <see cref="NatsTransportOptions.PublishTimeoutMs"/>. NATS.Net reconnects by itself; pull loops resume.
/// </remarks>
public sealed partial class NatsTransport : IMessageTransport, IBrokerProbe
{
    internal const string KeyHeader = "sms-key";
    private readonly NatsTransportOptions _options;
    private readonly FrozenDictionary<string, string> _subjects; // topic -> subject, built once (publish hot path)
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _setupLock = new(1, 1);
    private readonly List<NatsSubscription> _subscriptions = [];
    private readonly NatsJSPubOpts _noIdPubOpts;
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
        var natsOpts = NatsClientOptions.Create(_options, loggerFactory);
        Connection = new NatsConnection(natsOpts);
        // One attempt waits at most the publish timeout: PublishAsync retries within it.
        var attemptTimeout = TimeSpan.FromMilliseconds(Math.Min(_options.PublishTimeoutMs, _options.RequestTimeoutMs));
        JetStream = new NatsJSContext(Connection, new NatsJSOpts(natsOpts, requestTimeout: attemptTimeout));
        // NATS.Net retries a publish answered by "no responders" (stream briefly unavailable) by itself: cover the publish timeout.
        _noIdPubOpts = new NatsJSPubOpts { RetryAttempts = Math.Max(1, _options.PublishTimeoutMs / 100), RetryWaitBetweenAttempts = TimeSpan.FromMilliseconds(100) };
    }

    /// <summary>The options in use.</summary>
    public NatsTransportOptions Options => _options;

    /// <summary>The NATS.Net connection (for diagnostics and tests).</summary>
    public NatsConnection Connection { get; }

    /// <summary>The NATS.Net JetStream context.</summary>
    public NatsJSContext JetStream { get; }

    /// <summary>
    /// Connects, creates or updates the five streams and verifies each against the configuration the server returned.
    /// Called by publish/subscribe on first use.
    /// </summary>
    /// <exception cref="TransportException">The server is unreachable, refused the credentials or the topology, or kept a different configuration.</exception>
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

            await Connection.ConnectAsync().ConfigureAwait(false);
            foreach (var config in NatsTopology.Streams(_options))
            {
                var stream = await JetStream.CreateOrUpdateStreamAsync(config, cancellationToken).ConfigureAwait(false);
                NatsTopology.VerifyStream(config, stream.Info.Config);
            }

            _ready = true;
        }
        catch (NatsException ex)
        {
            throw new TransportException($"NATS setup at {_options.Url} failed: {Describe(ex)}", ex);
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
        _setupLock.Dispose();
    }

    /// <summary>The messages of <paramref name="ex"/> and its inner exceptions (NATS.Net wraps the server's "-ERR" reason).</summary>
    private static string Describe(Exception ex)
    {
        var parts = new List<string>(3);
        for (Exception? e = ex; e is not null && parts.Count < 4; e = e.InnerException)
        {
            if (!parts.Contains(e.Message))
            {
                parts.Add(e.Message);
            }
        }

        return string.Join(": ", parts);
    }

    internal void Forget(NatsSubscription subscription)
    {
        lock (_subscriptions)
        {
            _subscriptions.Remove(subscription);
        }
    }
}
