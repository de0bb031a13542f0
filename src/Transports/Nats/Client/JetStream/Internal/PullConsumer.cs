using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SmsGateway.Transports.Nats.Client.Internal;
using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Transports.Nats.Client.JetStream.Internal;

/// <summary>
/// Long-running pull loop of one client on one durable consumer. At most one pull request is outstanding; its batch is
/// the free room of the bounded output channel (capacity − buffered), so the channel can never overflow: backpressure
/// reaches the server. Messages are routed to the pull's own inbox by sid (they keep their original subject).
/// </summary>
/// <typeparam name="T">Item type of the output channel; <c>map</c> returns null for a message it handled itself.</typeparam>
internal sealed class PullConsumer<T> : NatsSubBase, IAsyncDisposable
    where T : notnull
{
    private readonly NatsConnection _connection;
    private readonly string _stream;
    private readonly string _consumer;
    private readonly NatsJSConsumeOpts _opts;
    private readonly Func<NatsJSMsg, T?> _map;
    private readonly Channel<T> _channel;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _cts = new();
    private readonly string _nextSubject;
    private readonly int _capacity;
    private readonly int _threshold;
    private readonly ILogger _logger;
    private int _pending;
    private long _lastActivity = Stopwatch.GetTimestamp();
    private bool _heartbeatSeen;
    private Task _loop = Task.CompletedTask;

    public PullConsumer(NatsConnection connection, string stream, string consumer, NatsJSConsumeOpts opts, Func<NatsJSMsg, T?> map)
        : base($"{connection.Opts.InboxPrefix}.{Nuid.Next()}", null, connection.NextSid())
    {
        _connection = connection;
        _stream = stream;
        _consumer = consumer;
        _opts = opts;
        _map = map;
        _capacity = opts.MaxMsgs;
        _threshold = opts.ThresholdMsgs > 0 ? opts.ThresholdMsgs : Math.Max(1, opts.MaxMsgs / 2);
        _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(_capacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        Reader = new NotifyingChannelReader<T>(_channel.Reader, OnItemTaken);
        _nextSubject = $"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}";
        _logger = connection.Opts.LoggerFactory.CreateLogger("SmsGateway.Transports.Nats.Client.JetStream.PullConsumer");
    }

    /// <summary>Pulled items.</summary>
    public ChannelReader<T> Reader { get; }

    public void Start() => _loop = Task.Run(RunAsync);

    public async ValueTask DisposeAsync()
    {
        if (_cts.IsCancellationRequested)
        {
            return;
        }

        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _connection.RemoveSubAsync(this).ConfigureAwait(false);
        _channel.Writer.TryComplete();
        _cts.Dispose();
    }

    /// <summary>Read loop: a pulled message, or a status (100 heartbeat, 404, 408, 409) on the pull inbox.</summary>
    public override void OnMessage(in NatsMsg msg)
    {
        Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
        if (msg.Headers is { Code: > 0 } status && msg.ReplyTo is null)
        {
            OnStatus(status);
            return;
        }

        var left = Interlocked.Decrement(ref _pending);
        if (left <= 0)
        {
            Interlocked.Exchange(ref _pending, 0);
            Wake();
        }

        var js = new NatsJSMsg(msg, NatsJSMsgMetadata.Parse(msg.ReplyTo, _stream, _consumer));
        var item = _map(js);
        if (item is not null && !_channel.Writer.TryWrite(item))
        {
            // Only possible when a pull we gave up on still delivers: give it back at once.
            _ = NakQuietlyAsync(js);
        }
    }

    public override void OnReconnected()
    {
        Interlocked.Exchange(ref _pending, 0);
        Wake();
    }

    public override void OnDisconnected() => Interlocked.Exchange(ref _pending, 0);

    public override void OnClosed(Exception? error) => _channel.Writer.TryComplete(error);

    private void OnStatus(NatsHeaders status)
    {
        switch (status.Code)
        {
            case 100:
                _heartbeatSeen = true; // idle heartbeat (or flow control, unused for pull)
                return;
            case 404:
            case 408:
                Interlocked.Exchange(ref _pending, 0);
                Wake();
                return;
            case 409:
                Log.PullStatus(_logger, _stream, _consumer, status.Code, status.Message);
                Interlocked.Exchange(ref _pending, 0);
                if (status.Message.Contains("Consumer Deleted", StringComparison.OrdinalIgnoreCase))
                {
                    _channel.Writer.TryComplete(new NatsException($"consumer {_stream}/{_consumer} was deleted"));
                    _cts.Cancel();
                    return;
                }

                Wake();
                return;
            default:
                Log.PullStatus(_logger, _stream, _consumer, status.Code, status.Message);
                Interlocked.Exchange(ref _pending, 0);
                Wake();
                return;
        }
    }

    private void OnItemTaken()
    {
        if (Volatile.Read(ref _pending) == 0 && _capacity - _channel.Reader.Count >= _threshold)
        {
            Wake();
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task RunAsync()
    {
        var ct = _cts.Token;
        var backoff = TimeSpan.Zero;
        try
        {
            await _connection.AddSubAsync(this, ct).ConfigureAwait(false);
            var requestStarted = 0L;
            while (!ct.IsCancellationRequested)
            {
                var pending = Volatile.Read(ref _pending);
                if (pending > 0)
                {
                    var elapsed = Stopwatch.GetElapsedTime(requestStarted);
                    var quiet = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActivity));
                    if (elapsed > _opts.Expires + TimeSpan.FromSeconds(2) || (_heartbeatSeen && quiet > _opts.IdleHeartbeat * 3))
                    {
                        Log.PullStalled(_logger, _stream, _consumer);
                        Interlocked.Exchange(ref _pending, 0);
                        continue;
                    }
                }
                else
                {
                    var free = _capacity - _channel.Reader.Count;
                    if (free >= _threshold)
                    {
                        if (backoff > TimeSpan.Zero)
                        {
                            await Task.Delay(backoff, ct).ConfigureAwait(false);
                        }

                        Interlocked.Exchange(ref _pending, free);
                        requestStarted = Stopwatch.GetTimestamp();
                        Volatile.Write(ref _lastActivity, requestStarted);
                        _heartbeatSeen = false;
                        try
                        {
                            var body = JsonSerializer.SerializeToUtf8Bytes(
                                new PullRequest { Batch = free, Expires = _opts.Expires, IdleHeartbeat = _opts.IdleHeartbeat },
                                JetStreamJsonContext.Default.PullRequest);
                            await _connection.PublishAsync(_nextSubject, body, headers: null, replyTo: Subject, ct).ConfigureAwait(false);
                            backoff = TimeSpan.Zero;
                        }
                        catch (NatsException ex)
                        {
                            Log.PullFailed(_logger, _stream, _consumer, ex.Message);
                            Interlocked.Exchange(ref _pending, 0);
                            backoff = TimeSpan.FromMilliseconds(Math.Clamp(backoff.TotalMilliseconds * 2, 50, 2000));
                        }

                        continue;
                    }
                }

                // Wait for: request done / room freed / reconnect, or a periodic check of the request's liveness.
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
                tick.CancelAfter(_opts.IdleHeartbeat);
                try
                {
                    await _wake.Reader.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                    _wake.Reader.TryRead(out _);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.PullFailed(_logger, _stream, _consumer, ex.Message);
            _channel.Writer.TryComplete(ex);
        }
    }

    private static async Task NakQuietlyAsync(NatsJSMsg msg)
    {
        try
        {
            await msg.NakAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // redelivered after the ack wait anyway
        }
    }
}
