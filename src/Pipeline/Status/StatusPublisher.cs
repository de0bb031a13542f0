using Microsoft.Extensions.Logging;
using SmsGateway.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Status;

/// <summary>Publishes status events to <c>sms-status</c>, counts them, and tells in-process observers.</summary>
internal sealed class StatusPublisher(IMessageTransport transport, PipelineMetrics metrics, TimeProvider time, ILogger logger)
{
    public event Action<StatusEvent>? Published;

    /// <summary>Publishes and waits for the broker's ack. Throws <see cref="TransportException"/> on failure.</summary>
    public async ValueTask PublishAsync(StatusEvent e, CancellationToken cancellationToken)
    {
        // The status write in the reporter continues this span's trace through the traceparent header.
        using var activity = PipelineTelemetry.StartPublish(Topics.Status);
        activity?.SetTag("sms.status", e.Status.ToWireName());
        await transport.PublishAsync(Topics.Status, TransportCodec.ForStatus(e), cancellationToken).ConfigureAwait(false);
        metrics.Status(e, time.GetUtcNow());
        Notify(Published, e, metrics, logger);
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

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<StatusEvent>)handler)(e);
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
    public async ValueTask PublishAsync(StatusEvent e, string? callbackUrl, CancellationToken cancellationToken)
    {
        await PublishAsync(e, cancellationToken).ConfigureAwait(false);
        if (callbackUrl is not null && Callbacks.CallbackJob.IsCallbackStatus(e.Status))
        {
            var job = Callbacks.CallbackJob.For(e, callbackUrl, time.GetUtcNow());
            await transport.PublishAsync(Topics.Callback, new OutgoingMessage(e.UserId, job.Serialize(), job.Key), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes without failing the caller: a lost non-final event costs report detail, not money.</summary>
    public async ValueTask TryPublishAsync(StatusEvent e, CancellationToken cancellationToken)
    {
        try
        {
            await PublishAsync(e, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException)
        {
            PipelineLog.StatusPublishFailed(logger, ex, e.MessageId, e.Status.ToWireName());
        }
    }
}
