using System.Diagnostics;
using SmsGateway.Transport;

namespace SmsGateway.Diagnostics;

/// <summary>
/// The pipeline's <see cref="ActivitySource"/> (named <see cref="SourceName"/>) and its spans: <c>accept</c>, <c>reserve</c>,
/// <c>publish {topic}</c>, <c>dispatch {topic}</c>, <c>send {operator}</c>, <c>settle</c>, <c>status {topic}</c> and
/// <c>status write</c>. The W3C trace context travels in the <see cref="TransportHeaders.TraceParent"/> header of every
/// published message (written by <c>TransportCodec</c> from <see cref="Activity.Current"/>) and is read back on delivery, so one
/// trace spans the gateway, dispatcher and reporter processes (https://www.w3.org/TR/trace-context/). Span kinds and the
/// <c>messaging.*</c> attributes follow OpenTelemetry's messaging conventions
/// (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/).
/// </summary>
/// <remarks>
/// Free when nobody listens: every helper checks <see cref="ActivitySource.HasListeners"/> first and returns null, and callers
/// use the null-conditional operator on the result. Thread-safe.
/// </remarks>
public static class PipelineTelemetry
{
    /// <summary>Name of the activity source (same as the meter's).</summary>
    public const string SourceName = PipelineMetrics.MeterName;

    /// <summary>The source; add it to a tracer provider with <c>AddSource(PipelineTelemetry.SourceName)</c>.</summary>
    internal static readonly ActivitySource Source = new(SourceName, "1.0");

    // OpenTelemetry's default span link limit (OTEL_SPAN_LINK_COUNT_LIMIT); more would be dropped by the SDK anyway.
    private const int MaxLinks = 128;

    /// <summary>Starts a span that is a child of <see cref="Activity.Current"/>, or returns null when nobody listens.</summary>
    internal static Activity? Start(string name, ActivityKind kind = ActivityKind.Internal) =>
        Source.HasListeners() ? Source.StartActivity(name, kind) : null;

    /// <summary>
    /// Starts a span under <paramref name="parent"/> (a context carried across a queue inside the process); falls back to
    /// <see cref="Activity.Current"/> when <paramref name="parent"/> is empty. Null when nobody listens.
    /// </summary>
    internal static Activity? Start(string name, ActivityKind kind, ActivityContext parent) =>
        Source.HasListeners() ? Source.StartActivity(name, kind, parent) : null;

    /// <summary>
    /// Starts the consumer span of a delivery (<c>dispatch {topic}</c>, <c>status {topic}</c>): its parent is the publisher's
    /// span read from the delivery's <c>traceparent</c> header, so the trace continues across processes. A missing or
    /// malformed header starts a new trace. Null when nobody listens.
    /// </summary>
    internal static Activity? StartConsumer(string operation, IDelivery delivery)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(operation + " " + delivery.Topic, ActivityKind.Consumer, ParentOf(delivery));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", delivery.Topic);
            activity.SetTag("messaging.message.delivery_count", delivery.DeliveryCount);
        }

        return activity;
    }

    /// <summary>Starts the producer span of a publish to <paramref name="topic"/>, a child of <see cref="Activity.Current"/>.</summary>
    internal static Activity? StartPublish(string topic, ActivityContext parent = default)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("publish " + topic, ActivityKind.Producer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.destination.name", topic);
        }

        return activity;
    }

    /// <summary>
    /// Starts a span that serves several traces at once (a reservation for a batch of requests, a status batch write): its
    /// parent is the first context, the others are links. Null when nobody listens.
    /// </summary>
    internal static Activity? StartBatch(string name, ActivityKind kind, IReadOnlyList<ActivityContext> contexts)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent = contexts.Count > 0 ? contexts[0] : default;
        List<ActivityLink>? links = null;
        for (int i = 1; i < contexts.Count && i <= MaxLinks; i++)
        {
            if (contexts[i] != default)
            {
                (links ??= new List<ActivityLink>(Math.Min(contexts.Count, MaxLinks))).Add(new ActivityLink(contexts[i]));
            }
        }

        var activity = Source.StartActivity(name, kind, parent, links: links);
        activity?.SetTag("sms.batch.size", contexts.Count);
        return activity;
    }

    /// <summary>The publisher's span context from a delivery's <c>traceparent</c> (and <c>tracestate</c>) header; default when absent or malformed.</summary>
    internal static ActivityContext ParentOf(IDelivery delivery)
    {
        var headers = delivery.Headers;
        if (headers.TryGetValue(TransportHeaders.TraceParent, out var traceParent))
        {
            headers.TryGetValue(TransportHeaders.TraceState, out var traceState);
            if (ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context))
            {
                return context;
            }
        }

        return default;
    }

    /// <summary>Marks <paramref name="activity"/> failed with a short code (never exception text with internal addresses).</summary>
    internal static void Fail(Activity? activity, string code)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, code);
            activity.SetTag("error.type", code);
        }
    }
}
