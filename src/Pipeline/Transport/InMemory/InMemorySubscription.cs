using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace SmsGateway.Transport.InMemory;

/// <summary>
/// A member of an in-memory consumer group. Its <see cref="Deliveries"/> reader takes messages from the group's queue on
/// demand (so nothing waits in a per-member buffer and other members can have what this one has not taken); a timer
/// delivers again what stays unacknowledged longer than the ack wait.
/// </summary>
internal sealed class InMemorySubscription : IMessageSubscription, IConsumerLag
{
    private readonly InMemoryGroup _group;
    private readonly SubscriptionOptions _options;
    private readonly InMemoryDeliveryReader _reader;

    // Every take adds here and every ack removes, from many threads: more lock stripes than the default (one per core).
    private readonly ConcurrentDictionary<long, InMemoryDelivery> _inFlight = new(Environment.ProcessorCount * 8, 1024);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Timer _ackWaitTimer;
    private long _sequence;
    private volatile bool _closed;
    private LinkedStop? _linkedStop;

    public InMemorySubscription(InMemoryGroup group, SubscriptionOptions options)
    {
        _group = group;
        _options = options;
        _reader = new InMemoryDeliveryReader(this);
        _ = group.Ready.Reader.Completion.ContinueWith(static (t, s) => ((TaskCompletionSource)s!).TrySetResult(), _completion,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.AckWait.TotalMilliseconds / 4, 50, 5_000));
        _ackWaitTimer = new Timer(_ => RedeliverExpired(), null, period, period);
    }

    public string Topic => _group.Topic.Name;

    public string ConsumerGroup => _group.Name;

    public ChannelReader<IDelivery> Deliveries => _reader;

    /// <summary>Messages waiting in the group's queue (stored, not yet taken by any member).</summary>
    public long? Pending => _group.Ready.Reader.Count;

    /// <summary>Completes when the subscription is disposed or the transport closed.</summary>
    internal Task Completion => _completion.Task;

    public async ValueTask DisposeAsync()
    {
        await _ackWaitTimer.DisposeAsync().ConfigureAwait(false);
        _closed = true;
        _stop.Cancel();
        Interlocked.Exchange(ref _linkedStop, null)?.Source.Dispose(); // canceled with _stop; drops its hold on the consumer's token
        _completion.TrySetResult();

        // Whatever this member holds goes back to the group: delivered but unsettled.
        foreach (var d in _inFlight.Values)
        {
            if (d.TryClaim())
            {
                _group.Redeliver(d.Envelope);
            }
        }

        _inFlight.Clear();

        // _stop is not disposed: a consumer racing with disposal may still link to its token (it owns no timer).
    }

    /// <summary>Takes the next message of the group, if any, as a delivery tracked until it is settled or expires.</summary>
    internal bool TryTake([MaybeNullWhen(false)] out IDelivery delivery)
    {
        if (_closed || !_group.Ready.Reader.TryRead(out var envelope))
        {
            delivery = null;
            return false;
        }

        var d = new InMemoryDelivery(this, envelope, Interlocked.Increment(ref _sequence), Environment.TickCount64);
        _inFlight[d.Sequence] = d;
        if (_closed)
        {
            // Disposed meanwhile: its sweep may have missed this one, so hand it back here (TryClaim picks one of the two).
            if (d.TryClaim())
            {
                _inFlight.TryRemove(d.Sequence, out _);
                _group.Redeliver(envelope);
            }

            delivery = null;
            return false;
        }

        delivery = d;
        return true;
    }

    /// <summary>True once a message is waiting; false when the subscription is disposed or the topic closed.</summary>
    internal ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (_closed)
        {
            return new ValueTask<bool>(false);
        }

        // Count, not TryPeek: a peek marks the queue's current segment as observed, and an observed segment never clears the
        // slots of the messages taken from it, so every message it held stayed reachable until the whole segment was used up
        // (bench/README.md "Taken messages no longer kept by a peek").
        var ready = _group.Ready.Reader;
        return ready.Count > 0 ? new ValueTask<bool>(true) : WaitSlowAsync(ready, cancellationToken);
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

    /// <summary>Moves the delivery's message to the transport's dead letters and acks it for this group.</summary>
    internal void DeadLetter(InMemoryDelivery delivery, string reason)
    {
        _inFlight.TryRemove(delivery.Sequence, out _);
        _group.Topic.DeadLetters.Add(delivery.Envelope, reason, delivery.DeliveryCount, DateTimeOffset.UtcNow);
        _group.Acked();
    }

    // Pooled box: a consumer waits here each time the group's queue runs empty, which at a steady trickle is once a message.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WaitSlowAsync(ChannelReader<InMemoryEnvelope> ready, CancellationToken cancellationToken)
    {
        // The group's queue outlives this member, so disposal has to wake a waiting consumer through the stop token.
        var shared = SharedStopToken(cancellationToken);
        using var own = shared is null ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token) : null;
        try
        {
            return await ready.WaitToReadAsync(own?.Token ?? shared!.Value).ConfigureAwait(false) && !_closed;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    // The stop token linked with the caller's, without a new linked source for every wait: a consumer loop passes the same
    // token each time, so the first cancelable one gets a source kept until disposal. Null for any other token (the caller
    // then links its own). A token that cannot be canceled needs no link.
    private CancellationToken? SharedStopToken(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || _closed)
        {
            return _stop.Token;
        }

        var linked = Volatile.Read(ref _linkedStop);
        if (linked is null)
        {
            var fresh = new LinkedStop(cancellationToken, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token));
            linked = Interlocked.CompareExchange(ref _linkedStop, fresh, null) ?? fresh;
            if (!ReferenceEquals(linked, fresh))
            {
                fresh.Source.Dispose();
            }
        }

        return linked.For == cancellationToken ? linked.Source.Token : null;
    }

    private sealed record LinkedStop(CancellationToken For, CancellationTokenSource Source);

    private async Task RedeliverLaterAsync(InMemoryEnvelope envelope, TimeSpan delay)
    {
        _group.Delayed.TryAdd(envelope, 0);
        await Task.Delay(delay).ConfigureAwait(false);
        if (_group.Delayed.TryRemove(envelope, out _))
        {
            _group.Redeliver(envelope); // not taken meanwhile by InMemoryTransport.TakeQueued
        }
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
