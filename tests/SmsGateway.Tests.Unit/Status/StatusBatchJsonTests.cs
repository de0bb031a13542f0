using System.Text;
using System.Text.Json;
using SmsGateway.Model;
using SmsGateway.Serialization;

namespace SmsGateway.Tests.Unit.Status;

/// <summary>The two wire formats of sms-status (docs/architecture.md, "Status events on the wire"): version 1 still read, version 2 round trips.</summary>
public sealed class StatusBatchJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    internal static StatusEvent Event(MessageStatus status = MessageStatus.Queued, string user = "u1", string? text = null) =>
        new(MessageIds.New(), user, status, status == MessageStatus.Queued ? 0 : 1, At, "+989121234567", "MCI", MessageType.Express,
            SmsEncoding.Ucs2, 2, 2300, At.AddSeconds(-1), status == MessageStatus.Failed ? "ESME_RSYSERR" : null, null, text);

    /// <summary>A batch of events serialized one by one, joined by commas as a <see cref="Status.StatusFrame"/> joins them.</summary>
    internal static byte[] Batch(IReadOnlyList<byte[]> events, IReadOnlyList<string?> traceParents) =>
        StatusBatchJson.Write(Join(events), traceParents);

    private static byte[] Join(IReadOnlyList<byte[]> events) =>
        [.. events.SelectMany((e, i) => i == 0 ? e : [(byte)',', .. e])];

    [Fact]
    public void A_version_1_payload_is_read_as_one_event()
    {
        var e = Event(MessageStatus.Sent);
        // the exact bytes a writer before version 2 sent (TransportCodec.ForStatus, unchanged)
        var payload = PipelineJson.Serialize(e);

        Assert.False(StatusBatchJson.IsBatch(payload));
        Assert.Equal(e, Assert.Single(PipelineJson.DeserializeStatuses(payload)));
        Assert.Null(PipelineJson.ReadStatusPayload(payload).TraceParents);
    }

    [Fact]
    public void A_batch_round_trips_in_order_with_its_trace_parents()
    {
        var events = new[] { Event(), Event(MessageStatus.Sent, "کاربر", "کد: \"1234\"\n"), Event(MessageStatus.Failed, "u\\2") };
        var parents = new string?[] { "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00" };

        var payload = Batch([.. events.Select(PipelineJson.Serialize)], parents);
        var batch = PipelineJson.ReadStatusPayload(payload);

        Assert.True(StatusBatchJson.IsBatch(payload));
        Assert.StartsWith("{\"version\":2,\"events\":[{", Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
        Assert.Equal(events, batch.Events);
        Assert.Equal(parents, batch.TraceParents);
        using var doc = JsonDocument.Parse(payload); // plain JSON for tools in other languages
        Assert.Equal(3, doc.RootElement.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public void An_untraced_batch_has_no_traceparents_and_its_size_stays_within_the_entry_bound()
    {
        var events = Enumerable.Range(0, 5).Select(_ => Event()).ToArray();
        var serialized = events.Select(PipelineJson.Serialize).ToArray();

        var payload = Batch(serialized, new string?[5]);

        Assert.DoesNotContain("traceparents", Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
        Assert.Null(PipelineJson.ReadStatusPayload(payload).TraceParents);
        Assert.Equal(events, PipelineJson.DeserializeStatuses(payload));
        Assert.True(payload.Length <= StatusBatchJson.EnvelopeBytes + serialized.Sum(p => StatusBatchJson.EntryBytes(p.Length, null)));
    }

    [Fact]
    public void A_traced_batch_stays_within_the_entry_bound()
    {
        const string Parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var serialized = Enumerable.Range(0, 7).Select(_ => PipelineJson.Serialize(Event())).ToArray();

        var payload = Batch(serialized, [.. Enumerable.Repeat<string?>(Parent, 7)]);

        Assert.True(payload.Length <= StatusBatchJson.EnvelopeBytes + serialized.Sum(p => StatusBatchJson.EntryBytes(p.Length, Parent)));
    }

    [Theory]
    [InlineData("{\"version\":3,\"events\":[]}", "unknown status batch version 3")]
    [InlineData("{\"version\":2,\"events\":[]}", "at least one event")]
    [InlineData("{\"version\":2}", "at least one event")]
    [InlineData("{\"version\":\"2\",\"events\":[]}", "version is an integer")]
    [InlineData("{\"version\":2,\"events\":[{\"message_id\":\"x\"}]}", null)]
    [InlineData("{\"version\":2,\"events\":[1]}", "events holds status event objects")]
    [InlineData("{\"version\":2,\"events\":[", null)]
    public void A_malformed_batch_is_rejected_as_undecodable(string json, string? reason)
    {
        var ex = Assert.ThrowsAny<JsonException>(() => PipelineJson.DeserializeStatuses(Encoding.UTF8.GetBytes(json)));
        if (reason is not null)
        {
            Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Trace_parents_must_match_the_events_one_to_one()
    {
        var e = Encoding.UTF8.GetString(PipelineJson.Serialize(Event()));
        var json = $"{{\"version\":2,\"events\":[{e},{e}],\"traceparents\":[null]}}";

        var ex = Assert.Throws<JsonException>(() => PipelineJson.DeserializeStatuses(Encoding.UTF8.GetBytes(json)));
        Assert.Contains("one entry per event", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_added_by_a_later_revision_is_skipped()
    {
        var one = Event();
        var json = $"{{\"version\":2,\"events\":[{Encoding.UTF8.GetString(PipelineJson.Serialize(one))}],\"origin\":{{\"host\":\"gw-1\"}}}}";

        Assert.Equal(one, Assert.Single(PipelineJson.DeserializeStatuses(Encoding.UTF8.GetBytes(json))));
    }
}
