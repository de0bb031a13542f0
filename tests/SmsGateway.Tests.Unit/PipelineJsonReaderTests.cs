using System.Text;
using System.Text.Json;
using SmsGateway.Model;
using SmsGateway.Serialization;

namespace SmsGateway.Tests.Unit;

/// <summary>The hand-written fast readers must agree with the generated (reference) deserializer, or decline.</summary>
public sealed class PipelineJsonReaderTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 30, 45, 123, TimeSpan.Zero);

    public static TheoryData<SmsMessage> Messages() =>
    [
        new SmsMessage(MessageIds.New(), "123", "+989121234567", "کد تایید: 1234", MessageType.Express, "MCI", SmsEncoding.Ucs2, 1, 1150, At),
        new SmsMessage(MessageIds.New(), "u\"q\\x", "+989351234567", "line\nbreak \"quoted\" € {}", MessageType.Normal, "MTN", SmsEncoding.Gsm7, 3, 3450, At, 3, At.AddSeconds(2)),
        new SmsMessage(Guid.Empty, "", "+989201234567", "", MessageType.Normal, "Rightel", SmsEncoding.Gsm7, 10, long.MaxValue, DateTimeOffset.MinValue, int.MaxValue),
        new SmsMessage(MessageIds.New(), "bulk", "+989121234567", "in a batch", MessageType.Normal, "MCI", SmsEncoding.Gsm7, 1, 1150, At, BatchId: MessageIds.New()),
    ];

    public static TheoryData<StatusEvent> Events()
    {
        var data = new TheoryData<StatusEvent>();
        foreach (var status in Enum.GetValues<MessageStatus>())
        {
            data.Add(new StatusEvent(MessageIds.New(), "user-1", status, (int)status, At, "+989121234567", "MCI", MessageType.Express,
                SmsEncoding.Ucs2, 2, 2300, At.AddMinutes(-1), status == MessageStatus.Failed ? "ESME_RINVDSTADR" : null));
        }

        data.Add(new StatusEvent(MessageIds.New(), "user-2", MessageStatus.Queued, 0, At, "+989121234567", "MCI", MessageType.Normal,
            SmsEncoding.Gsm7, 1, 1150, At, null, MessageIds.New(), "stored \"text\", line\nbreak"));
        return data;
    }

    [Fact]
    public void The_store_text_flag_of_a_message_never_travels()
    {
        var m = new SmsMessage(MessageIds.New(), "9", "+989121234567", "hi", MessageType.Express, "MCI", SmsEncoding.Gsm7, 1, 1150, At, StoreText: true);
        var json = PipelineJson.Serialize(m);
        Assert.DoesNotContain("store_text", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Equal(m with { StoreText = false }, PipelineJson.DeserializeMessage(json));
        // the generated (fallback) reader accepts the shape too
        Assert.Equal(m with { StoreText = false }, PipelineJson.DeserializeMessage(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json).Replace("\"Express\"", "1"))));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Message_round_trips_through_the_fast_reader(SmsMessage message)
    {
        byte[] json = PipelineJson.Serialize(message);

        Assert.True(PipelineJsonReader.TryReadMessage(json, out var read));
        Assert.Equal(message, read);
        Assert.Equal(message, PipelineJson.DeserializeMessage(json));
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Status_event_round_trips_through_the_fast_reader(StatusEvent e)
    {
        byte[] json = PipelineJson.Serialize(e);

        Assert.True(PipelineJsonReader.TryReadStatus(json, out var read));
        Assert.Equal(e, read);
        Assert.Equal(e, PipelineJson.DeserializeStatus(json));
    }

    [Fact]
    public void Fields_in_another_order_and_unknown_fields_are_read()
    {
        var e = new StatusEvent(MessageIds.New(), "7", MessageStatus.Sent, 1, At, "+989121234567", "MCI", MessageType.Normal, SmsEncoding.Gsm7, 1, 1150, At);
        using var doc = JsonDocument.Parse(PipelineJson.Serialize(e));
        var reversed = new StringBuilder("{\"extra\":{\"nested\":[1,2]},");
        reversed.AppendJoin(',', doc.RootElement.EnumerateObject().Reverse().Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}"));
        reversed.Append('}');

        Assert.True(PipelineJsonReader.TryReadStatus(Encoding.UTF8.GetBytes(reversed.ToString()), out var read));
        Assert.Equal(e, read);
    }

    [Fact]
    public void Shapes_the_writer_does_not_produce_fall_back_to_the_generated_reader()
    {
        var m = new SmsMessage(MessageIds.New(), "9", "+989121234567", "hi", MessageType.Express, "MCI", SmsEncoding.Gsm7, 1, 1150, At);
        string json = Encoding.UTF8.GetString(PipelineJson.Serialize(m));
        string numericEnum = json.Replace("\"Express\"", "1");
        string missingAttempt = json.Replace(",\"attempt\":1", "");

        Assert.False(PipelineJsonReader.TryReadMessage(Encoding.UTF8.GetBytes(numericEnum), out _));
        Assert.Equal(m, PipelineJson.DeserializeMessage(Encoding.UTF8.GetBytes(numericEnum)));
        Assert.True(PipelineJsonReader.TryReadMessage(Encoding.UTF8.GetBytes(missingAttempt), out var defaulted));
        Assert.Equal(1, defaulted.Attempt);
        Assert.False(PipelineJsonReader.TryReadMessage("{\"id\":1}"u8, out _));
        Assert.False(PipelineJsonReader.TryReadMessage("{\"id\":"u8, out _));
        Assert.ThrowsAny<JsonException>(() => PipelineJson.DeserializeMessage("{\"id\":"u8));
    }

    [Fact]
    public void Frame_and_batch_members_are_read_in_place_and_a_member_of_another_shape_falls_back_alone()
    {
        var messages = ((IEnumerable<object[]>)Messages()).Select(row => (SmsMessage)row[0]).ToArray();
        var payloads = messages.Select(m => PipelineJson.Serialize(m)).ToArray();
        payloads[1] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(payloads[1]).Replace("\"Normal\"", "0")); // numeric enum: not the writer's shape
        Assert.False(PipelineJsonReader.TryReadMessage(payloads[1], out _));
        byte[] frame = MessageFrameJson.Write(payloads);

        var read = MessageFrameJson.Read(frame);

        Assert.Equal(messages, read.Select(r => r.Message));
        for (int i = 0; i < read.Length; i++)
        {
            Assert.Equal(payloads[i], frame[read[i].Bytes]); // each range is exactly that member's object
        }

        var events = ((IEnumerable<object[]>)Events()).Select(row => (StatusEvent)row[0]).ToArray();
        var eventPayloads = events.Select(e => PipelineJson.Serialize(e)).ToArray();
        eventPayloads[0] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(eventPayloads[0]).Replace("\"Express\"", "1"));
        Assert.False(PipelineJsonReader.TryReadStatus(eventPayloads[0], out _));

        Assert.Equal(events, StatusBatchJson.Read(Status.StatusBatchJsonTests.Batch(eventPayloads, new string?[events.Length])).Events);
    }

    [Fact]
    public void Trailing_content_or_a_truncated_member_is_not_taken_by_the_fast_readers()
    {
        var m = new SmsMessage(MessageIds.New(), "9", "+989121234567", "hi", MessageType.Express, "MCI", SmsEncoding.Gsm7, 1, 1150, At);
        byte[] json = PipelineJson.Serialize(m);

        Assert.False(PipelineJsonReader.TryReadMessage([.. json, .. "{}"u8], out _));
        Assert.False(PipelineJsonReader.TryReadMessage([.. json, .. "x"u8], out _));
        Assert.True(PipelineJsonReader.TryReadMessage([.. json, .. " \n"u8], out _));
        byte[] truncated = MessageFrameJson.Write([json, json[..^1]]);
        Assert.ThrowsAny<JsonException>(() => MessageFrameJson.Read(truncated));
    }
}
