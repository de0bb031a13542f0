using System.Diagnostics.Metrics;
using SmsGateway.Model;

namespace SmsGateway;

/// <summary>
/// The pipeline's instruments on the <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>
/// (exported by the host as Prometheus text and by OpenTelemetry). Counters count messages; histograms are in ms.
/// </summary>
public sealed class PipelineMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "SmsGateway.Pipeline";

    private readonly Meter _meter = new(MeterName, "1.0");
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _statuses;
    private readonly Counter<long> _sends;
    private readonly Histogram<double> _acceptMs;
    private readonly Histogram<double> _toFinalMs;

    /// <summary>Creates the instruments.</summary>
    public PipelineMetrics()
    {
        _accepted = _meter.CreateCounter<long>("sms_accepted_total", "messages", "Messages queued at accept");
        _refused = _meter.CreateCounter<long>("sms_refused_total", "requests", "Send requests refused at accept, by reason");
        _statuses = _meter.CreateCounter<long>("sms_status_events_total", "events", "Status events published, by status");
        _sends = _meter.CreateCounter<long>("sms_operator_sends_total", "attempts", "Send attempts to operators, by operator and outcome");
        _acceptMs = _meter.CreateHistogram<double>("sms_accept_duration_ms", "ms", "Time from request to queued (reserve + publish)");
        _toFinalMs = _meter.CreateHistogram<double>("sms_accept_to_final_ms", "ms", "Time from accept to a final status, by status and type");
    }

    internal void Accepted(MessageType type, double ms)
    {
        _accepted.Add(1, new KeyValuePair<string, object?>("type", type.ToWireName()));
        _acceptMs.Record(ms);
    }

    internal void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void Status(StatusEvent e, DateTimeOffset now)
    {
        _statuses.Add(1, new KeyValuePair<string, object?>("status", e.Status.ToWireName()));
        if (e.Status.IsFinal() && e.Status != MessageStatus.Rejected)
        {
            _toFinalMs.Record((now - e.AcceptedAt).TotalMilliseconds,
                new KeyValuePair<string, object?>("status", e.Status.ToWireName()),
                new KeyValuePair<string, object?>("type", e.Type.ToWireName()));
        }
    }

    internal void Send(string op, string outcome) =>
        _sends.Add(1, new KeyValuePair<string, object?>("operator", op), new KeyValuePair<string, object?>("outcome", outcome));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
