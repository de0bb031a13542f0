using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

/// <summary>
/// One member of a group: a loop of NATS.Net fetches whose batch is the free room of the bounded
/// <see cref="Deliveries"/> channel (capacity <see cref="SubscriptionOptions.MaxInFlight"/>), in pulls of at most
/// <see cref="NatsTransportOptions.MaxFetchMessages"/>. So the member holds at most MaxInFlight unacked messages, counting
/// the ones still on their way, and backpressure reaches the server.
/// </summary>
/// <remarks>
/// NATS.Net's <c>ConsumeAsync</c> is not used: it counts a message as delivered once handed to its reader and then pulls
/// again, so it would hold up to its own MaxMsgs on top of this channel, and messages waiting there run down their ack wait.
/// A fetch ends when its batch is full, when it expires (<see cref="NatsTransportOptions.PullExpiresMs"/>, the long poll
/// of an idle stream) or when the server's idle heartbeats stop (connection lost); the next fetch then starts.
/// </remarks>
internal sealed class NatsSubscription : IMessageSubscription, IConsumerLag
{
    // Payloads in pooled buffers, returned when the delivery is settled (NatsDelivery; bench/README.md "Frames written in one pass").
    private static readonly NatsRawSerializer<NatsMemoryOwner<byte>> Raw = NatsRawSerializer<NatsMemoryOwner<byte>>.Default;
    private readonly NatsTransport _transport;
    private readonly INatsJSConsumer _consumer;
    private readonly Channel<IDelivery> _channel;
    private readonly int _capacity;
    private readonly int _threshold;
    private readonly int _maxFetch;
    private readonly int _maxDeliver;
    private readonly TimeSpan _expires;
    private readonly TimeSpan _idleHeartbeat;
    private readonly ILogger _logger;
    private readonly Channel<bool> _room = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _cts = new();
    private Task _loop = Task.CompletedTask;
    private long _pending = -1;

    public NatsSubscription(NatsTransport transport, string topic, string group, INatsJSConsumer consumer, SubscriptionOptions options, ILogger logger)
    {
        _transport = transport;
        _consumer = consumer;
        _logger = logger;
        Topic = topic;
        ConsumerGroup = group;
        _capacity = options.MaxInFlight;
        _threshold = Math.Max(1, _capacity / 2);
        _maxDeliver = transport.Options.MaxDeliver;
        _maxFetch = transport.Options.MaxFetchMessages;
        _expires = TimeSpan.FromMilliseconds(transport.Options.PullExpiresMs);
        _idleHeartbeat = TimeSpan.FromMilliseconds(transport.Options.IdleHeartbeatMs);
        _channel = Channel.CreateBounded<IDelivery>(new BoundedChannelOptions(_capacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        Deliveries = new NotifyingChannelReader<IDelivery>(_channel.Reader, () => _room.Writer.TryWrite(true));
    }

    public string Topic { get; }

    public string ConsumerGroup { get; }

    public ChannelReader<IDelivery> Deliveries { get; }

    /// <summary>
    /// The consumer's pending count carried by the last delivery's metadata (JetStream ack reply subject: messages in the
    /// stream not yet delivered to the group); null before the first delivery. Updated on the fetch loop, read without a
    /// broker call, as <see cref="IConsumerLag"/> asks.
    /// </summary>
    public long? Pending => Volatile.Read(ref _pending) is var p and >= 0 ? p : null;

    public void Start() => _loop = Task.Run(RunAsync);

    public async ValueTask DisposeAsync()
    {
        if (_cts.IsCancellationRequested)
        {
            return;
        }

        _transport.Forget(this);
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _channel.Writer.TryComplete();
        _cts.Dispose();
    }

    private async Task RunAsync()
    {
        var ct = _cts.Token;
        var backoff = TimeSpan.Zero;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var free = _capacity - _channel.Reader.Count;
                if (free < _threshold)
                {
                    await _room.Reader.WaitToReadAsync(ct).ConfigureAwait(false); // a reader took an item
                    _room.Reader.TryRead(out _);
                    continue;
                }

                try
                {
                    // At most MaxFetchMessages per pull: the server writes a pull's messages at once, and more unread bytes
                    // than its max_pending cut the connection off as a slow consumer (NatsTransportOptions.MaxFetchMessages).
                    var opts = new NatsJSFetchOpts { MaxMsgs = Math.Min(free, _maxFetch), Expires = _expires, IdleHeartbeat = _idleHeartbeat };
                    await foreach (var msg in _consumer.FetchAsync(opts, Raw, ct).ConfigureAwait(false))
                    {
                        var delivered = msg.Metadata?.NumDelivered ?? 1;
                        if (msg.Metadata is { } meta)
                        {
                            Volatile.Write(ref _pending, (long)meta.NumPending);
                        }

                        if (_maxDeliver > 0 && delivered > (ulong)_maxDeliver)
                        {
                            _ = _transport.DeadLetterExhaustedAsync(Topic, msg);
                            continue;
                        }

                        // Never waits but after a reconnect, when NATS.Net re-sends the whole batch of the fetch.
                        await _channel.Writer.WriteAsync(new NatsDelivery(_transport, Topic, msg, (int)Math.Min(delivered, int.MaxValue)), ct).ConfigureAwait(false);
                    }

                    backoff = TimeSpan.Zero;
                }
                catch (NatsJSProtocolException ex) when (ex.HeaderCode == 409 && ex.HeaderMessageText?.Contains("Consumer Deleted", StringComparison.OrdinalIgnoreCase) == true)
                {
                    throw new TransportException($"consumer {ConsumerGroup} of {Topic} was deleted", ex);
                }
                catch (NatsException ex)
                {
                    // connection lost, server restarting, stream leader moving: pull again after a short backoff
                    backoff = TimeSpan.FromMilliseconds(Math.Clamp(backoff.TotalMilliseconds * 2, 50, 2000));
                    TransportLog.PullFailed(_logger, Topic, ConsumerGroup, ex.Message, (int)backoff.TotalMilliseconds);
                    await Task.Delay(backoff, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            TransportLog.SubscriptionFailed(_logger, Topic, ConsumerGroup, ex.Message);
            _channel.Writer.TryComplete(ex);
        }
    }
}
