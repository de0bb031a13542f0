using System.Text;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Status;
using SmsGateway.Transport;

namespace SmsGateway.Tests.Unit.Status;

/// <summary>
/// <see cref="StatusFrame"/> keeps a lone event without batch lists: it must still send exactly what an uncoalesced publish
/// sends, and a second event must turn the frame into a version-2 batch that keeps the first event and its traceparent.
/// </summary>
public sealed class StatusFrameTests
{
    private const string ParentA = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private const string ParentB = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    [Fact]
    public void One_event_goes_as_version_1_with_its_traceparent_header()
    {
        var e = StatusBatchJsonTests.Event(MessageStatus.Sent);
        var payload = PipelineJson.Serialize(e);
        var frame = new StatusFrame();

        frame.Add(e, payload, ParentA, StatusBatchJson.EntryBytes(payload.Length, ParentA));
        var message = frame.ToMessage();

        var expected = TransportCodec.ForStatus(e, payload, ParentA);
        Assert.Equal(1, frame.Count);
        Assert.Equal(payload, message.Payload.ToArray());
        Assert.Equal(expected.MessageId, message.MessageId);
        Assert.Equal(e.UserId, message.Key);
        Assert.Equal(ParentA, message.Headers![TransportHeaders.TraceParent]);
    }

    [Fact]
    public void A_second_event_makes_a_batch_that_starts_with_the_first_and_carries_each_traceparent()
    {
        var first = StatusBatchJsonTests.Event(MessageStatus.Queued);
        var second = StatusBatchJsonTests.Event(MessageStatus.Sent);
        byte[] p1 = PipelineJson.Serialize(first), p2 = PipelineJson.Serialize(second);
        var frame = new StatusFrame();

        frame.Add(first, p1, null, StatusBatchJson.EntryBytes(p1.Length, null));
        frame.Add(second, p2, ParentB, StatusBatchJson.EntryBytes(p2.Length, ParentB));
        var message = frame.ToMessage();

        Assert.Equal(2, frame.Count);
        Assert.Equal(
            $"{{\"version\":2,\"events\":[{Encoding.UTF8.GetString(p1)},{Encoding.UTF8.GetString(p2)}],\"traceparents\":[null,\"{ParentB}\"]}}",
            Encoding.UTF8.GetString(message.Payload.Span));
        Assert.Equal(first.UserId, message.Key);
        Assert.Equal(ParentB, message.Headers![TransportHeaders.TraceParent]); // the first traced event heads the message
        var batch = PipelineJson.ReadStatusPayload(message.Payload.Span);
        Assert.Equal([first.MessageId, second.MessageId], batch.Events.Select(e => e.MessageId));
        Assert.Equal([null, ParentB], batch.TraceParents!);
    }

    /// <summary>
    /// The in-memory transport's status consumer takes the frame's events instead of decoding its bytes, so the two must be
    /// the same events (every field, the stored text included) with the same trace parents, for one event and for a batch.
    /// </summary>
    [Fact]
    public void The_decoded_form_a_frame_carries_is_what_its_bytes_read_to()
    {
        var lone = StatusBatchJsonTests.Event(MessageStatus.Sent);
        var withText = lone with { MessageId = MessageIds.New(), Status = MessageStatus.Queued, Attempt = 0, Text = "stored \"text\"\nline 2" };
        var failed = lone with { MessageId = MessageIds.New(), Status = MessageStatus.Failed, ErrorCode = "ESME_RINVDSTADR", BatchId = MessageIds.New() };

        var one = new StatusFrame(withDecoded: true);
        Add(one, lone, ParentA);
        var batch = new StatusFrame(withDecoded: true);
        Add(batch, lone, null);
        Add(batch, withText, ParentB);
        Add(batch, failed, null);

        foreach (var message in new[] { one.ToMessage(), batch.ToMessage() })
        {
            var decoded = Assert.IsType<StatusBatch>(message.Decoded);
            Assert.True(message.Payload.IsEmpty); // written only when read: Bytes()
            var read = PipelineJson.ReadStatusPayload(message.Bytes().Span);
            Assert.Equal(read.Events, decoded.Events);
            Assert.Equal(read.TraceParents, decoded.TraceParents);
        }

        Assert.Equal([lone, withText, failed], ((StatusBatch)batch.ToMessage().Decoded!).Events);
    }

    /// <summary>The frame copies each event into one pooled buffer that grows: many events must still read back whole and in order.</summary>
    [Fact]
    public void A_batch_larger_than_the_first_buffer_keeps_every_event_in_order_and_is_made_once()
    {
        var events = Enumerable.Range(0, 40)
            .Select(i => StatusBatchJsonTests.Event(MessageStatus.Sent) with { MessageId = MessageIds.New(), Text = new string('پ', i * 7) + "\"" })
            .ToArray();
        var frame = new StatusFrame();
        foreach (var e in events)
        {
            Add(frame, e, null);
        }

        var message = frame.ToMessage();

        string joined = string.Join(",", events.Select(e => Encoding.UTF8.GetString(PipelineJson.Serialize(e))));
        Assert.Equal($"{{\"version\":2,\"events\":[{joined}]}}", Encoding.UTF8.GetString(message.Payload.Span));
        Assert.Equal(events, PipelineJson.DeserializeStatuses(message.Payload.Span));
        Assert.Equal(message, frame.ToMessage()); // the same message: the buffer went back to the pool with the first call
        Assert.Throws<InvalidOperationException>(() => Add(frame, events[0], null));
    }

    private static void Add(StatusFrame frame, StatusEvent e, string? traceParent)
    {
        var payload = PipelineJson.Serialize(e);
        frame.Add(e, payload, traceParent, StatusBatchJson.EntryBytes(payload.Length, traceParent));
    }

    [Fact]
    public void Fits_takes_any_first_event_then_holds_to_the_limits()
    {
        var e = StatusBatchJsonTests.Event(MessageStatus.Sent);
        var payload = PipelineJson.Serialize(e);
        int entry = StatusBatchJson.EntryBytes(payload.Length, null);
        var frame = new StatusFrame();

        Assert.True(frame.Fits(entry, maxEvents: 1, maxBytes: 1)); // an empty frame takes an event of any size
        frame.Add(e, payload, null, entry);
        Assert.False(frame.Fits(entry, maxEvents: 1, maxBytes: int.MaxValue));
        Assert.False(frame.Fits(entry, maxEvents: 10, maxBytes: StatusBatchJson.EnvelopeBytes + entry));
        Assert.True(frame.Fits(entry, maxEvents: 10, maxBytes: StatusBatchJson.EnvelopeBytes + 2 * entry));
    }

    [Fact]
    public void An_empty_frame_has_no_message()
    {
        Assert.Throws<InvalidOperationException>(() => new StatusFrame().ToMessage());
    }
}
