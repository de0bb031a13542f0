using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using SmsGateway.Model;
using SmsGateway.Status;
using SmsGateway.Transport;

namespace SmsGateway;

/// <summary>
/// The pipeline's instruments on the <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>, read by
/// OpenTelemetry (the host exports them as Prometheus text on <c>/metrics</c> and, when configured, over OTLP). Names follow
/// OpenTelemetry's dotted style with UCUM units; the Prometheus exporter turns <c>sms.accept.duration</c> (unit <c>ms</c>) into
/// <c>sms_accept_duration_milliseconds</c> and a counter <c>sms.accepted</c> into <c>sms_accepted_total</c>
/// (https://opentelemetry.io/docs/specs/otel/compatibility/prometheus_and_openmetrics/). Durations are in ms; histograms carry
/// explicit bucket boundaries as advice, fine enough for the sub-millisecond budgets of docs/ and README "Latency budgets".
/// </summary>
/// <remarks>Thread-safe. Recording is a no-op while no listener (OpenTelemetry <c>MeterProvider</c>) enabled the instrument.</remarks>
public sealed class PipelineMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "SmsGateway.Pipeline";

    /// <summary>Bucket upper bounds (ms) of the accept and accept-to-final histograms; the load runner reports percentiles as these bounds.</summary>
    public static readonly IReadOnlyList<double> LatencyBucketsMs = [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 5000];

    /// <summary>Bucket upper bounds (ms) of the ledger, lock, broker and store call histograms (in-memory calls take microseconds).</summary>
    public static readonly IReadOnlyList<double> CallBucketsMs = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 5000];

    // Per-status counts of a status frame: one slot per value of MessageStatus (its values run from 0 without gaps).
    private static readonly int StatusValues = Enum.GetValues<MessageStatus>().Max(s => (int)s) + 1;

    private readonly Meter _meter = new(MeterName, "1.0");
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _statuses;
    private readonly Counter<long> _sends;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _retriesExhausted;
    private readonly Counter<long> _redeliveries;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _inFlight = new(StringComparer.Ordinal);
    private readonly Histogram<double> _acceptMs;
    private readonly Histogram<double> _toFinalMs;
    private readonly Histogram<double> _ledgerMs;
    private readonly Histogram<double> _lockMs;
    private readonly Histogram<double> _publishMs;
    private readonly Histogram<double> _storeMs;
    private readonly ConcurrentDictionary<IMessageSubscription, byte> _subscriptions = new();

    /// <summary>Creates the instruments.</summary>
    public PipelineMetrics()
    {
        var latency = new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBucketsMs };
        var call = new InstrumentAdvice<double> { HistogramBucketBoundaries = CallBucketsMs };
        _accepted = _meter.CreateCounter<long>("sms.accepted", "{message}", "Messages queued at accept, by type");
        _refused = _meter.CreateCounter<long>("sms.refused", "{request}", "Send requests refused at accept, by reason");
        _statuses = _meter.CreateCounter<long>("sms.status.events", "{event}", "Status events published, by status");
        _sends = _meter.CreateCounter<long>("sms.operator.sends", "{attempt}", "Send attempts to operators, by operator and outcome");
        _deadLettered = _meter.CreateCounter<long>("sms.dlq.published", "{message}", "Failed attempts published to sms-dlq for a retry, by operator");
        _retriesExhausted = _meter.CreateCounter<long>("sms.retries.exhausted", "{message}", "Messages failed after their last retry, by operator");
        _redeliveries = _meter.CreateCounter<long>("sms.redeliveries", "{delivery}", "Broker deliveries of a message already delivered before (nak, ack timeout, crash), by topic");
        // Counted in place and read at collection: an up-down counter recorded twice per send, each a tag lookup in the
        // SDK (bench/README.md "Small cuts: the in-memory confirm, per-message recordings, the load client's read").
        _meter.CreateObservableUpDownCounter("sms.dispatch.in_flight", MeasureInFlight, "{send}", "Sends to operators started and not yet answered, by operator");
        _acceptMs = _meter.CreateHistogram("sms.accept.duration", "ms", "Time from request to queued (reserve + publish), by type", advice: latency);
        _toFinalMs = _meter.CreateHistogram("sms.accept_to_final.duration", "ms", "Time from accept to a final status, by status and type", advice: latency);
        _ledgerMs = _meter.CreateHistogram("sms.ledger.duration", "ms", "Balance ledger calls (reserve, confirm, capture, refund), by operation and outcome", advice: call);
        _lockMs = _meter.CreateHistogram("sms.lock.acquire.duration", "ms", "User lock acquisition, by status", advice: call);
        _publishMs = _meter.CreateHistogram("sms.broker.publish.duration", "ms", "Broker publish until stored (acked), by topic and outcome", advice: call);
        _storeMs = _meter.CreateHistogram("sms.status.write.duration", "ms", "Status store batch writes, by outcome", advice: call);
        _meter.CreateObservableGauge("sms.accept.queue.depth", () => AcceptQueueDepth?.Invoke() ?? [], "{request}",
            "Requests waiting in each accept partition, by partition");
        _meter.CreateObservableGauge("sms.dispatch.queue.depth", () => LaneQueueDepth?.Invoke() ?? [], "{message}",
            "Messages waiting in each operator's dispatch lane, by operator");
        _meter.CreateObservableGauge("sms.consumer.lag", MeasureLag, "{message}",
            "Messages stored for a consumer group and not yet delivered to it, by topic and group (transports that can tell; see IConsumerLag)");
        _reservationsExpired = _meter.CreateCounter<long>("sms.reservations.expired", "{reservation}",
            "Reservations refunded by the expiry sweep because their message was never confirmed stored within the deadline");
    }

    /// <summary>The meter of these instruments (one per instance, so listeners can tell pipelines apart).</summary>
    internal Meter Meter => _meter;

    /// <summary>Set by the accept stage while it runs: one measurement per partition.</summary>
    internal Func<IEnumerable<Measurement<long>>>? AcceptQueueDepth { get; set; }

    /// <summary>Set by the dispatch stage while it runs: one measurement per operator lane.</summary>
    internal Func<IEnumerable<Measurement<long>>>? LaneQueueDepth { get; set; }

    internal void Accepted(MessageType type, double ms)
    {
        var tag = new KeyValuePair<string, object?>("type", type.ToWireName());
        _accepted.Add(1, tag);
        _acceptMs.Record(ms, tag);
    }

    internal void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void Status(StatusEvent e, DateTimeOffset now)
    {
        _statuses.Add(1, new KeyValuePair<string, object?>("status", e.Status.ToWireName()));
        ToFinal(e, now);
    }

    /// <summary>
    /// Counts the events of one acked status frame: one recording per status present in it rather than one per event (each
    /// recording is a tag lookup in the SDK; bench/README.md "Small cuts: the in-memory confirm, per-message recordings,
    /// the load client's read"), and each final event's time from accept.
    /// </summary>
    internal void Statuses(StatusFrame frame, DateTimeOffset now)
    {
        Span<int> counts = stackalloc int[StatusValues];
        for (int i = 0; i < frame.Count; i++)
        {
            var e = frame[i];
            counts[(int)e.Status]++;
            ToFinal(e, now);
        }

        for (int status = 0; status < counts.Length; status++)
        {
            if (counts[status] > 0)
            {
                _statuses.Add(counts[status], new KeyValuePair<string, object?>("status", ((MessageStatus)status).ToWireName()));
            }
        }
    }

    private void ToFinal(StatusEvent e, DateTimeOffset now)
    {
        if (e.Status.IsFinal() && e.Status != MessageStatus.Rejected)
        {
            _toFinalMs.Record((now - e.AcceptedAt).TotalMilliseconds,
                new KeyValuePair<string, object?>("status", e.Status.ToWireName()),
                new KeyValuePair<string, object?>("type", e.Type.ToWireName()));
        }
    }

    internal void Send(string op, string outcome) =>
        _sends.Add(1, new KeyValuePair<string, object?>("operator", op), new KeyValuePair<string, object?>("outcome", outcome));

    internal void SendStarted(string op) => Interlocked.Increment(ref InFlightOf(op).Value);

    internal void SendEnded(string op) => Interlocked.Decrement(ref InFlightOf(op).Value);

    internal void DeadLettered(string op) => _deadLettered.Add(1, new KeyValuePair<string, object?>("operator", op));

    internal void RetriesExhausted(string op) => _retriesExhausted.Add(1, new KeyValuePair<string, object?>("operator", op));

    internal void Delivered(IDelivery delivery)
    {
        if (delivery.DeliveryCount > 1)
        {
            _redeliveries.Add(1, new KeyValuePair<string, object?>("topic", delivery.Topic));
        }
    }

    /// <summary>True while a listener reads call latencies (callers skip taking timestamps otherwise).</summary>
    internal bool CallsObserved => _ledgerMs.Enabled || _lockMs.Enabled || _publishMs.Enabled;

    internal void LedgerCall(string operation, bool ok, double ms) =>
        _ledgerMs.Record(ms, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));

    internal void LockAcquire(string status, double ms) => _lockMs.Record(ms, new KeyValuePair<string, object?>("status", status));

    internal void Publish(string topic, bool ok, double ms) =>
        _publishMs.Record(ms, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));

    internal void StoreWrite(bool ok, double ms) => _storeMs.Record(ms, new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));

    /// <summary>Reports the lag of <paramref name="subscription"/> while it is open (when it implements <see cref="IConsumerLag"/>).</summary>
    internal void Track(IMessageSubscription subscription) => _subscriptions.TryAdd(subscription, 0);

    internal void Untrack(IMessageSubscription subscription) => _subscriptions.TryRemove(subscription, out _);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    // Counters of outages, poison and idempotent dispatch (README "Durability"); created on first use so the constructor
    // keeps its instruments in the order other stages expect.
    private Counter<long> PoisonCounter => field ??= _meter.CreateCounter<long>("sms.dead_letters", "{message}", "Undecodable deliveries moved to the transport's dead-letter store, by topic");

    private Counter<long> FrameRequeueCounter => field ??= _meter.CreateCounter<long>("sms.dispatch.frame_requeued", "{message}", "Messages of a frame whose lane was full, published back to their topic as a new frame, by topic");

    private Counter<long> OutageNakCounter => field ??= _meter.CreateCounter<long>("sms.outage.naks", "{delivery}", "Deliveries handed back with the growing outage backoff (ledger, store or broker down), by topic");

    private Counter<long> RestartCounter => field ??= _meter.CreateCounter<long>("sms.consumer.restarts", "{restart}", "Consumer loops that ended on a fault and were subscribed again, by topic");

    private Counter<long> BeginSendCounter => field ??= _meter.CreateCounter<long>("sms.dispatch.begin_send", "{message}", "Begin-send outcomes before an operator send (send, already_captured, refunded, attempt_in_progress, attempt_started, superseded, not_reserved)");

    private Counter<long> MismatchCounter => field ??= _meter.CreateCounter<long>("sms.ledger.settle_mismatches", "{message}", "Captures or refunds that found the reservation settled the other way or gone, by operation and outcome");

    private Counter<long> SubscriberFailureCounter => field ??= _meter.CreateCounter<long>("sms.status.subscriber_failures", "{call}", "Exceptions thrown by in-process StatusPublished subscribers (isolated and logged)");

    private Counter<long> LeaseCounter => field ??= _meter.CreateCounter<long>("sms.lock.leases", "{event}", "User lock leases: grants acquired, reused, renewed, lost, released (idle, max_hold, stop), by outcome");

    internal void LockLease(string outcome) => LeaseCounter.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    internal void PoisonDeadLettered(string topic) => PoisonCounter.Add(1, new KeyValuePair<string, object?>("topic", topic));

    /// <summary>Messages of a frame that found their lane full and went back to the topic as a new frame (docs/architecture.md "Message frames").</summary>
    internal void FrameRequeued(string topic, int messages) => FrameRequeueCounter.Add(messages, new KeyValuePair<string, object?>("topic", topic));

    internal void OutageNak(string topic) => OutageNakCounter.Add(1, new KeyValuePair<string, object?>("topic", topic));

    internal void ConsumerRestarted(string topic) => RestartCounter.Add(1, new KeyValuePair<string, object?>("topic", topic));

    internal void BeginSend(string outcome) => BeginSendCounter.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    internal void SettleMismatch(string operation, string outcome) =>
        MismatchCounter.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));

    internal void SubscriberFailed() => SubscriberFailureCounter.Add(1);

    private IEnumerable<Measurement<long>> MeasureLag()
    {
        foreach (var subscription in _subscriptions.Keys)
        {
            if (subscription is IConsumerLag { Pending: { } pending })
            {
                yield return new Measurement<long>(pending,
                    new KeyValuePair<string, object?>("topic", subscription.Topic),
                    new KeyValuePair<string, object?>("group", subscription.ConsumerGroup));
            }
        }
    }

    // One count per operator name, created at its first send and kept (operators are few and fixed per process).
    private StrongBox<long> InFlightOf(string op) => _inFlight.GetOrAdd(op, static _ => new StrongBox<long>());

    private IEnumerable<Measurement<long>> MeasureInFlight()
    {
        foreach (var (op, count) in _inFlight)
        {
            yield return new Measurement<long>(Volatile.Read(ref count.Value), new KeyValuePair<string, object?>("operator", op));
        }
    }

    private readonly Counter<long> _reservationsExpired;

    internal void ReservationsExpired(int count) => _reservationsExpired.Add(count);
}
