using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using SmsGateway.Model;

namespace SmsGateway.Status;

/// <summary>
/// The accept-time <c>queued</c> events of a process that also dispatches, held for
/// <see cref="PipelineOptions.QueuedEventDelay"/> (docs/architecture.md "The queued event, implied"). A held event is
/// dropped when this process publishes a later event of the same message (<c>sending</c>, <c>sent</c>, <c>retrying</c>,
/// <c>failed</c>, <c>canceled</c>, …) before the delay ends: that row implies the message was queued, and readers add the
/// <c>queued</c> entry to its history (<see cref="MessageHistory.Of"/>). An event still held after the delay is published
/// as before, so a message that waits in a backlog is reported <c>queued</c> within the delay plus a status batch age.
/// </summary>
/// <remarks>
/// Thread-safe. A held event is lost only with the process (kill -9): the message itself is in the broker, and its first
/// later event creates its row. Memory: one entry per message accepted in the last delay (at 50,000 msg/s and 250 ms,
/// some 12,500 entries of about 100 B).
/// </remarks>
internal sealed class ImpliedQueuedEvents : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, StatusEvent> _held = new();
    private readonly ConcurrentQueue<(Guid MessageId, long Due)> _order = new();
    private readonly StatusPublisher _status;
    private readonly TimeProvider _time;
    private readonly long _delayTicks;
    private readonly ITimer _timer;
    private readonly Lock _publishing = new();
    private (Guid MessageId, long Due)? _head; // taken from _order, not yet due; used under _publishing only

    /// <param name="status">Publishes the events the delay let through; its <see cref="StatusPublisher.Published"/> drops held ones.</param>
    /// <param name="delay">How long an event is held; greater than zero.</param>
    /// <param name="time">The clock; the check runs every half delay.</param>
    public ImpliedQueuedEvents(StatusPublisher status, TimeSpan delay, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero);
        _status = status;
        _time = time;
        _delayTicks = (long)(delay.TotalSeconds * time.TimestampFrequency);
        _status.Published += OnPublished;
        var period = delay / 2;
        _timer = time.CreateTimer(_ => PublishDue(all: false), null, period, period);
    }

    /// <summary>Events held now.</summary>
    public int Count => _held.Count;

    /// <summary>Holds the <c>queued</c> event of a message about to be published to the broker.</summary>
    public void Hold(StatusEvent queued)
    {
        _held[queued.MessageId] = queued;
        _order.Enqueue((queued.MessageId, _time.GetTimestamp() + _delayTicks));
    }

    /// <summary>Drops a held event without publishing it: its message was never stored by the broker (the accept refused it).</summary>
    public void Drop(Guid messageId) => _held.TryRemove(messageId, out _);

    /// <summary>The held <c>queued</c> event of <paramref name="messageId"/>, if this process holds one (cancel looks here when the status store has nothing).</summary>
    public bool TryGet(Guid messageId, [MaybeNullWhen(false)] out StatusEvent queued) => _held.TryGetValue(messageId, out queued);

    /// <summary>Stops the timer and publishes every event still held; completes when the broker acked them or refused them (logged).</summary>
    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(PublishDue(all: true)).ConfigureAwait(false);
        _status.Published -= OnPublished;
    }

    private void OnPublished(StatusEvent e)
    {
        if (e.Status != MessageStatus.Queued)
        {
            _held.TryRemove(e.MessageId, out _);
        }
    }

    // Publishes the held events whose delay ended (all of them at stop), oldest first; those dropped meanwhile are skipped.
    // TryPublishAsync logs a refused publish and never throws; the publisher gathers these events into few broker messages.
    private List<Task> PublishDue(bool all)
    {
        var published = new List<Task>();
        lock (_publishing)
        {
            long now = _time.GetTimestamp();
            // The oldest entry is taken out and kept in _head until it is due, not peeked at: a peek marks the queue's segment
            // as observed, and an observed segment never reuses its slots (a new segment every 32 entries).
            while ((_head ??= _order.TryDequeue(out var next) ? next : null) is { } head && (all || head.Due <= now))
            {
                _head = null;
                if (_held.TryRemove(head.MessageId, out var queued))
                {
                    published.Add(_status.TryPublishAsync(queued, CancellationToken.None).AsTask());
                }
            }
        }

        return published;
    }
}
