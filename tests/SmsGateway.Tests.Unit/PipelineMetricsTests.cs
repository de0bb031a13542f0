using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Tests.Unit;

public sealed class PipelineMetricsTests
{
    [Fact]
    public void Sends_in_flight_are_read_per_operator_when_collected()
    {
        using var metrics = new PipelineMetrics();
        using var inFlight = new MetricCollector<long>(metrics.Meter, "sms.dispatch.in_flight");
        metrics.SendStarted("MCI");
        metrics.SendStarted("MCI");
        metrics.SendStarted("MTN");
        metrics.SendEnded("MCI");

        inFlight.RecordObservableInstruments();
        Assert.Equal(1, Latest(inFlight, "MCI"));
        Assert.Equal(1, Latest(inFlight, "MTN"));

        metrics.SendEnded("MCI");
        metrics.SendEnded("MTN");
        inFlight.RecordObservableInstruments();
        Assert.Equal(0, Latest(inFlight, "MCI"));
        Assert.Equal(0, Latest(inFlight, "MTN"));
    }

    [Fact]
    public void A_status_frame_is_counted_by_status_and_each_final_event_timed()
    {
        using var metrics = new PipelineMetrics();
        using var events = new MetricCollector<long>(metrics.Meter, "sms.status.events");
        using var toFinal = new MetricCollector<double>(metrics.Meter, "sms.accept_to_final.duration");
        var acceptedAt = new DateTimeOffset(2026, 12, 6, 1, 0, 0, TimeSpan.Zero);
        var frame = new StatusFrame(withDecoded: true);
        foreach (var status in new[] { MessageStatus.Sent, MessageStatus.Retrying, MessageStatus.Sent, MessageStatus.Delivered, MessageStatus.Sent })
        {
            frame.Add(new StatusEvent(Guid.NewGuid(), "u", status, 1, acceptedAt, "989121234567", "MCI", MessageType.Express,
                SmsEncoding.Gsm7, 1, 10, acceptedAt), default, null, 0);
        }

        metrics.Statuses(frame, acceptedAt.AddMilliseconds(40));

        var counted = events.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["status"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["sent"] = 3, ["retrying"] = 1, ["delivered"] = 1 }, counted);
        Assert.Equal(3, events.GetMeasurementSnapshot().Count); // one recording per status present, not one per event
        var finals = toFinal.GetMeasurementSnapshot();
        Assert.Equal(4, finals.Count); // sent ×3 and delivered; retrying is not final
        Assert.All(finals, m => Assert.Equal(40, m.Value));
    }

    private static long Latest(MetricCollector<long> collector, string op) =>
        collector.GetMeasurementSnapshot().Last(m => Equals(m.Tags["operator"], op)).Value;
}
