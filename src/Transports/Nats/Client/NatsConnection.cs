using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SmsGateway.Transports.Nats.Client.Internal;

namespace SmsGateway.Transports.Nats.Client;

/// <summary>
/// One client connection to a NATS server (shaped like NATS.Client.Core's <c>NatsConnection</c>): publish, subscribe,
/// request/reply, keep-alive, and automatic reconnect with backoff and jitter that re-subscribes.
/// Protocol: https://docs.nats.io/reference/reference-protocols/nats-protocol.
/// </summary>
/// <remarks>
/// Thread-safe. Writes from all threads are serialized into one <see cref="System.IO.Pipelines.Pipe"/> that a send loop
/// drains to the socket in batches; when more than <see cref="NatsOpts.WriterBufferSize"/> bytes wait, writers wait
/// (backpressure). The read loop parses MSG/HMSG and hands each to its subscription by sid without ever blocking.
/// While reconnecting, writers wait until the connection is open again or their token is cancelled.
/// </remarks>
public sealed partial class NatsConnection : IAsyncDisposable
{
    private readonly NatsOpts _opts;
    private readonly ILogger _logger;
    private readonly string _host;
    private readonly int _port;
    private readonly ConcurrentDictionary<long, NatsSubBase> _subs = new();
    private readonly CancellationTokenSource _disposeCts = new();
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly Lock _stateLock = new();
    private long _nextSid;
    private volatile Conn? _current;
    private volatile NatsConnectionState _state = NatsConnectionState.Closed;
    private TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ServerInfo? _info;
    private long _reconnects;

    /// <summary>Creates a connection (not connected yet: call <see cref="ConnectAsync"/>).</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public NatsConnection(NatsOpts opts)
    {
        _opts = (opts ?? throw new ArgumentNullException(nameof(opts))).Validate();
        (_host, _port) = NatsOpts.ParseUrl(_opts.Url);
        _logger = _opts.LoggerFactory.CreateLogger<NatsConnection>();
        _inboxPrefix = $"{_opts.InboxPrefix}.{Nuid.Next()}.";
        _inboxPrefixBytes = EncodeInboxPrefix(_inboxPrefix);
        _inbox = new InboxSub(this, _inboxPrefix + "*", Interlocked.Increment(ref _nextSid));
    }

    /// <summary>The options in use.</summary>
    public NatsOpts Opts => _opts;

    /// <summary>Current state.</summary>
    public NatsConnectionState ConnectionState => _state;

    /// <summary>The last INFO received, or null before the first connect.</summary>
    public ServerInfo? ServerInfo => _info;

    /// <summary>Successful reconnects so far.</summary>
    public long ReconnectCount => Interlocked.Read(ref _reconnects);

    /// <summary>The last <c>-ERR</c> text received, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>Connects (TCP, INFO, CONNECT, PING/PONG) unless already open. Idempotent.</summary>
    /// <exception cref="NatsException">The server could not be reached or refused the connection.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    public async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_state == NatsConnectionState.Disposed, this);
        if (_state is NatsConnectionState.Open or NatsConnectionState.Reconnecting)
        {
            return;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state != NatsConnectionState.Closed)
            {
                return;
            }

            _state = NatsConnectionState.Connecting;
            _subs[_inbox.Sid] = _inbox;
            try
            {
                await EstablishAsync(isReconnect: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not NatsException and not OperationCanceledException and not ObjectDisposedException)
            {
                _state = NatsConnectionState.Closed;
                throw new NatsException($"could not connect to {_opts.Url}: {ex.Message}", ex);
            }
            catch
            {
                _state = NatsConnectionState.Closed;
                throw;
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Conn? conn;
        lock (_stateLock)
        {
            if (_state == NatsConnectionState.Disposed)
            {
                return;
            }

            _state = NatsConnectionState.Disposed;
            conn = _current;
            _current = null;
        }

        await _disposeCts.CancelAsync().ConfigureAwait(false);
        if (_timeoutSweeper is { } sweeper)
        {
            await sweeper.DisposeAsync().ConfigureAwait(false);
        }

        if (conn is not null)
        {
            // Let buffered writes (acks, last publishes) reach the socket before closing.
            await conn.DrainAndCloseAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        var error = new ObjectDisposedException(nameof(NatsConnection));
        _opened.TrySetException(error);
        _ = _opened.Task.Exception; // observed
        FailPongWaiters(error);
        FailRequests(error);
        foreach (var sub in _subs.Values)
        {
            sub.OnClosed(null);
        }

        _subs.Clear();
    }

    private Task WaitForOpenAsync(CancellationToken cancellationToken)
    {
        var state = _state;
        if (state == NatsConnectionState.Disposed)
        {
            throw new ObjectDisposedException(nameof(NatsConnection));
        }

        if (state == NatsConnectionState.Closed)
        {
            throw new NatsException("not connected: call ConnectAsync first");
        }

        return _opened.Task.WaitAsync(cancellationToken);
    }
}
