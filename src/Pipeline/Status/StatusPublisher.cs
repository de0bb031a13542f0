using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using SmsGateway.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Transport;

namespace SmsGateway.Status;

/// <summary>
/// Publishes status events to <c>sms-status</c>, counts them, and tells in-process observers. Events published together
/// share one transport message (group commit, docs/architecture.md "Status events on the wire"): the first event of an
/// idle publisher goes out as soon as its caller's turn on the thread ends (no timer, no added wait); events arriving
/// in that turn, or while <see cref="PipelineOptions.StatusPublishConcurrency"/> messages wait for their broker acks,
/// gather into the next message, up to <see cref="PipelineOptions.StatusPublishMaxEvents"/> events and
/// <see cref="PipelineOptions.StatusPublishMaxBytes"/> bytes. A caller's task completes when the message carrying its
/// event is acked, and fails with that message's exception.
/// </summary>
/// <remarks>
/// Thread-safe: callers publish from any thread at once. <c>handOverDecoded</c> is true when the transport is the
/// in-memory one: each message then carries its events for the status stage of this process, and its bytes are written
/// only if something reads them (<see cref="StatusFrame"/>, docs/architecture.md "Status events on the wire"); other
/// transports need the bytes and would only carry the events as garbage.
/// </remarks>
internal sealed class StatusPublisher(IMessageTransport transport, PipelineMetrics metrics, TimeProvider time, ILogger logger, PipelineOptions? options = null,
    bool handOverDecoded = false)
{
    private readonly int _maxEvents = options?.StatusPublishMaxEvents ?? 256;
    private readonly int _maxBytes = options?.StatusPublishMaxBytes ?? 64 * 1024;
    private readonly int _maxPublishes = options?.StatusPublishConcurrency ?? 1;
    private readonly Lock _gate = new();
    private readonly Queue<StatusFrame> _closed = new();
    private StatusFrame? _open;
    private int _publishing;

    public event Action<StatusEvent>? Published;

    /// <summary>
    /// Publishes and waits for the broker's ack of the message that carries <paramref name="e"/>. Throws
    /// <see cref="TransportException"/> on failure, <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> ends the wait (the event may still be published).
    /// </summary>
    /// <remarks>
    /// Counted and passed to <see cref="Published"/> once the broker acked it, before its caller continues: by the publish
    /// loop for a frame, so a slow observer delays the events published after it. Without a listener on the pipeline's
    /// spans the caller waits on the frame's task itself: no state machine per event (bench/README.md "Status publish
    /// without a state machine per event").
    /// </remarks>
    public ValueTask PublishAsync(StatusEvent e, CancellationToken cancellationToken)
    {
        if (_maxEvents == 1 || PipelineTelemetry.Source.HasListeners())
        {
            return PublishTracedAsync(e, cancellationToken);
        }

        var acked = Enqueue(e, Activity.Current);
        return new ValueTask(cancellationToken.CanBeCanceled ? acked.WaitAsync(cancellationToken) : acked);
    }

    // The same with the publish span around the wait (and the uncoalesced publish of StatusPublishMaxEvents = 1).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PublishTracedAsync(StatusEvent e, CancellationToken cancellationToken)
    {
        // The status write in the reporter continues this span's trace through the traceparent header (version 1) or the
        // batch's traceparents (version 2).
        using var activity = PipelineTelemetry.StartPublish(Topics.Status);
        activity?.SetTag("sms.status", e.Status.ToWireName());
        if (_maxEvents == 1)
        {
            await transport.PublishAsync(Topics.Status, TransportCodec.ForStatus(e), cancellationToken).ConfigureAwait(false);
            Observe(e, time.GetUtcNow());
        }
        else
        {
            await Enqueue(e, Activity.Current).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // An acked event: counted, then its observers told.
    private void Observe(StatusEvent e, DateTimeOffset now)
    {
        metrics.Status(e, now);
        Notify(Published, e, metrics, logger);
    }

    // Adds the event to the open frame (closing it first when the event does not fit) and starts a publish loop when fewer
    // than the allowed number run. The loop is queued to this thread's local work queue, so it runs right after the
    // caller's current work item: events published later in the same turn still join the frame.
    private Task Enqueue(StatusEvent e, Activity? parent)
    {
        var traceParent = parent is { IdFormat: ActivityIdFormat.W3C } ? parent.Id : null;
        ReadOnlySpan<byte> payload = default;
        int entryBytes = 0; // handed over: no bytes to bound (the in-memory transport has no size limit), frames end at _maxEvents
        if (!handOverDecoded)
        {
            PipelineJson.Write(WireScratch.Start(), e);
            payload = WireScratch.Finish(); // copied into the frame below, before anything else on this thread writes JSON
            entryBytes = StatusBatchJson.EntryBytes(payload.Length, traceParent);
        }

        Task acked;
        bool start = false;
        lock (_gate)
        {
            if (_open is not null && !_open.Fits(entryBytes, _maxEvents, _maxBytes))
            {
                _closed.Enqueue(_open);
                _open = null;
            }

            _open ??= new StatusFrame(handOverDecoded);
            _open.Add(e, payload, traceParent, entryBytes);
            acked = _open.Acked.Task;
            if (_publishing < _maxPublishes)
            {
                _publishing++;
                start = true;
            }
        }

        if (start)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static self => _ = self.PublishFramesAsync(), this, preferLocal: true);
        }

        return acked;
    }

    // One publish loop: takes the oldest closed frame, else the open one, publishes it, and repeats until nothing is left.
    private async Task PublishFramesAsync()
    {
        while (true)
        {
            StatusFrame? frame;
            lock (_gate)
            {
                if (!_closed.TryDequeue(out frame))
                {
                    frame = _open;
                    _open = null;
                }

                if (frame is null)
                {
                    _publishing--;
                    return;
                }
            }

            try
            {
                // Not cancellable: the frame's callers may each stop waiting, but the frame is published for all of them.
                await transport.PublishAsync(Topics.Status, frame.ToMessage(), CancellationToken.None).ConfigureAwait(false);
                metrics.Statuses(frame, time.GetUtcNow()); // counted before any observer hears of them, as in Observe
                for (int i = 0; i < frame.Count; i++)
                {
                    Notify(Published, frame[i], metrics, logger);
                }

                frame.Acked.TrySetResult();
            }
            catch (Exception ex)
            {
                // Passed to every caller of the frame (TryPublishAsync logs each event, PublishAsync callers retry), logged here
                // once for the case where every caller already stopped waiting.
                StatusLog.FramePublishFailed(logger, ex, frame.Count);
                frame.Acked.TrySetException(ex);
            }
        }
    }

    /// <summary>
    /// Calls each subscriber of <paramref name="handlers"/> on its own: an exception is logged and counted, never passed on,
    /// so an observer cannot turn a stored, charged message into a 503 or a nak after capture (issue 12, consumers
    /// supervised).
    /// </summary>
    internal static void Notify(Action<StatusEvent>? handlers, StatusEvent e, PipelineMetrics metrics, ILogger logger)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in Delegate.EnumerateInvocationList(handlers)) // no array per event, unlike GetInvocationList
        {
            try
            {
                handler(e);
            }
            catch (Exception ex)
            {
                metrics.SubscriberFailed();
                PipelineLog.StatusSubscriberFailed(logger, ex, e.MessageId, e.Status.ToWireName());
            }
        }
    }

    /// <summary>
    /// Publishes <paramref name="e"/>, then, when it is a callback status (<c>sent</c>, <c>delivered</c>, <c>undelivered</c>,
    /// <c>failed</c>) and <paramref name="callbackUrl"/> is set, queues its callback on <c>sms-callback</c>. Throws
    /// <see cref="TransportException"/> on failure (the caller then repeats both; callbacks are at least once).
    /// </summary>
    public ValueTask PublishAsync(StatusEvent e, string? callbackUrl, CancellationToken cancellationToken) =>
        callbackUrl is not null && Callbacks.CallbackJob.IsCallbackStatus(e.Status)
            ? PublishWithCallbackAsync(e, callbackUrl, cancellationToken)
            : PublishAsync(e, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PublishWithCallbackAsync(StatusEvent e, string callbackUrl, CancellationToken cancellationToken)
    {
        await PublishAsync(e, cancellationToken).ConfigureAwait(false);
        var job = Callbacks.CallbackJob.For(e, callbackUrl, time.GetUtcNow());
        await transport.PublishAsync(Topics.Callback, new OutgoingMessage(e.UserId, job.Serialize(), job.Key), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes without failing the caller: a lost non-final event costs report detail, not money.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // one per message: the state machine box is pooled (docs: bench/README.md)
    public async ValueTask TryPublishAsync(StatusEvent e, CancellationToken cancellationToken)
    {
        try
        {
            await PublishAsync(e, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_maxEvents > 1 && cancellationToken.IsCancellationRequested)
        {
            // Only the wait ended (for example the accept deadline): the event stays in its frame and is still published.
            StatusLog.WaitCut(logger, e.MessageId, e.Status.ToWireName());
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException)
        {
            PipelineLog.StatusPublishFailed(logger, ex, e.MessageId, e.Status.ToWireName());
        }
    }
}
