using System.Collections.Concurrent;
using System.Threading.Channels;

namespace SmsGateway.Transport.InMemory;

/// <summary>
/// A member of an in-memory consumer group. A pump moves ready messages into a bounded channel of deliveries (so at most
/// <see cref="SubscriptionOptions.MaxInFlight"/> wait for the consumer); a timer delivers again what stays unacknowledged
/// longer than the ack wait.
/// </summary>
internal sealed class InMemorySubscription : IMessageSubscription
{
    private readonly InMemoryGroup _group;
    private readonly SubscriptionOptions _options;
    private readonly Channel<IDelivery> _deliveries;
    private readonly ConcurrentDictionary<long, InMemoryDelivery> _inFlight = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private readonly Timer _ackWaitTimer;
    private long _sequence;

    public InMemorySubscription(InMemoryGroup group, SubscriptionOptions options)
    {
        _group = group;
        _options = options;
        _deliveries = Channel.CreateBounded<IDelivery>(new BoundedChannelOptions(options.MaxInFlight)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
        _pump = Task.Run(PumpAsync);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.AckWait.TotalMilliseconds / 4, 50, 5_000));
        _ackWaitTimer = new Timer(_ => RedeliverExpired(), null, period, period);
    }

    public string Topic => _group.Topic.Name;

    public string ConsumerGroup => _group.Name;

    public ChannelReader<IDelivery> Deliveries => _deliveries.Reader;

    public async ValueTask DisposeAsync()
    {
        await _ackWaitTimer.DisposeAsync().ConfigureAwait(false);
        _stop.Cancel();
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        _deliveries.Writer.TryComplete();

        // Whatever this member holds goes back to the group: delivered but unsettled, and buffered but never read.
        foreach (var d in _inFlight.Values)
        {
            if (d.TryClaim())
            {
                _group.Redeliver(d.Envelope);
            }
        }

        _inFlight.Clear();
        _stop.Dispose();
    }

    internal void Settle(InMemoryDelivery delivery, TimeSpan? nakDelay)
    {
        _inFlight.TryRemove(delivery.Sequence, out _);
        if (nakDelay is null)
        {
            _group.Acked();
        }
        else if (nakDelay.Value <= TimeSpan.Zero)
        {
            _group.Redeliver(delivery.Envelope);
        }
        else
        {
            _ = RedeliverLaterAsync(delivery.Envelope, nakDelay.Value);
        }
    }

    private async Task RedeliverLaterAsync(InMemoryEnvelope envelope, TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        _group.Redeliver(envelope);
    }

    private async Task PumpAsync()
    {
        var reader = _group.Ready.Reader;
        var writer = _deliveries.Writer;
        var token = _stop.Token;
        while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
        {
            // Take a message only when the consumer has room for it, so other members can have it meanwhile.
            if (!await writer.WaitToWriteAsync(token).ConfigureAwait(false))
            {
                return;
            }

            if (!reader.TryRead(out var envelope))
            {
                continue;
            }

            var delivery = new InMemoryDelivery(this, envelope, Interlocked.Increment(ref _sequence), Environment.TickCount64);
            _inFlight[delivery.Sequence] = delivery;
            if (!writer.TryWrite(delivery))
            {
                await writer.WriteAsync(delivery, token).ConfigureAwait(false);
            }
        }

        writer.TryComplete();
    }

    private void RedeliverExpired()
    {
        long now = Environment.TickCount64;
        long ackWait = (long)_options.AckWait.TotalMilliseconds;
        foreach (var d in _inFlight.Values)
        {
            if (now - d.DeliveredAt > ackWait && d.TryClaim())
            {
                _inFlight.TryRemove(d.Sequence, out _);
                _group.Redeliver(d.Envelope);
            }
        }
    }
}

/// <summary>One delivery; the first settle (ack, nak, or expiry by the subscription) wins.</summary>
internal sealed class InMemoryDelivery(InMemorySubscription owner, InMemoryEnvelope envelope, long sequence, long deliveredAt) : IDelivery
{
    private readonly int _deliveryCount = envelope.DeliveryCount;
    private int _settled;

    public InMemoryEnvelope Envelope => envelope;

    public long Sequence => sequence;

    public long DeliveredAt => deliveredAt;

    public string Topic => envelope.Topic;

    public string Key => envelope.Key;

    public ReadOnlyMemory<byte> Payload => envelope.Payload;

    public IReadOnlyDictionary<string, string> Headers => envelope.Headers;

    public int DeliveryCount => _deliveryCount;

    public ValueTask AckAsync(CancellationToken cancellationToken)
    {
        if (TryClaim())
        {
            owner.Settle(this, null);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (TryClaim())
        {
            owner.Settle(this, delay);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>True for the one caller that settles this delivery.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _settled, 1) == 0;
}
