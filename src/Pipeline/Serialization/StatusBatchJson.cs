using System.Text.Json;
using SmsGateway.Model;

namespace SmsGateway.Serialization;

/// <summary>
/// The two wire formats of an <c>sms-status</c> payload (docs/architecture.md, "Status events on the wire"):
/// <list type="bullet">
/// <item>version 1, one event: the <see cref="StatusEvent"/> object as <see cref="PipelineJson.Serialize(StatusEvent)"/> writes it;</item>
/// <item>version 2, a batch: <c>{"version":2,"events":[e1,e2,…],"traceparents":[t1,null,…]}</c>, where each <c>eN</c> is a
/// version-1 event object and the optional <c>traceparents</c> array holds the W3C <c>traceparent</c> of each event's
/// publish span (null where it had none).</item>
/// </list>
/// A version-2 writer writes <c>"version"</c> first, so a reader tells the formats apart by the first property name.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class StatusBatchJson
{
    /// <summary>The batch format's version number.</summary>
    public const int Version = 2;

    private static ReadOnlySpan<byte> Head => "{\"version\":2,\"events\":["u8;
    private static ReadOnlySpan<byte> Traces => "],\"traceparents\":["u8;
    private static ReadOnlySpan<byte> Null => "null"u8;

    /// <summary>Bytes of a batch's envelope at most: head, the <c>traceparents</c> key and the closing brackets.</summary>
    public static int EnvelopeBytes => Head.Length + Traces.Length + 2;

    /// <summary>Bytes one event adds to a batch at most: its JSON, a comma, its quoted trace parent (or null) and a comma.</summary>
    public static int EntryBytes(int eventBytes, string? traceParent) =>
        eventBytes + 1 + (traceParent is null ? Null.Length : traceParent.Length + 2) + 1;

    /// <summary>
    /// Writes a version-2 batch from events already serialized as version 1 (<see cref="PipelineJson.Serialize(StatusEvent)"/>)
    /// and joined by commas in <paramref name="events"/>, one event per entry of <paramref name="traceParents"/>.
    /// <paramref name="traceParents"/> is written only when one of them is set.
    /// </summary>
    /// <returns>The batch's UTF-8 JSON, an array of exactly its length.</returns>
    /// <exception cref="ArgumentException"><paramref name="events"/> or <paramref name="traceParents"/> is empty.</exception>
    public static byte[] Write(ReadOnlySpan<byte> events, IReadOnlyList<string?> traceParents)
    {
        if (events.IsEmpty || traceParents.Count == 0)
        {
            throw new ArgumentException("a status batch needs at least one event and one trace parent slot per event", nameof(events));
        }

        bool traced = false;
        int size = Head.Length + events.Length + 2; // head, events, "]}"
        int traceBytes = Traces.Length + (traceParents.Count - 1);
        for (int i = 0; i < traceParents.Count; i++)
        {
            traced |= traceParents[i] is not null;
            traceBytes += traceParents[i] is { } parent ? parent.Length + 2 : Null.Length;
        }

        if (traced)
        {
            size += traceBytes;
        }

        var buffer = new byte[size];
        var span = buffer.AsSpan();
        int at = Copy(Head, span, 0);
        at = Copy(events, span, at);
        if (traced)
        {
            at = Copy(Traces, span, at);
            for (int i = 0; i < traceParents.Count; i++)
            {
                if (i > 0)
                {
                    span[at++] = (byte)',';
                }

                if (traceParents[i] is { } parent)
                {
                    // a traceparent is lowercase hex and dashes (https://www.w3.org/TR/trace-context/#traceparent-header): no escaping
                    span[at++] = (byte)'"';
                    at += System.Text.Encoding.ASCII.GetBytes(parent, span[at..]);
                    span[at++] = (byte)'"';
                }
                else
                {
                    at = Copy(Null, span, at);
                }
            }
        }

        span[at++] = (byte)']';
        span[at++] = (byte)'}';
        return buffer;
    }

    /// <summary>
    /// The bytes a reader turns into <paramref name="batch"/> (<see cref="PipelineJson.ReadStatusPayload"/>): one event without
    /// trace parents as version 1, anything else as version 2. For the in-memory transport's payloads made on first read
    /// (<see cref="Transport.OutgoingMessage.Encode"/>); not on a hot path.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="batch"/> has no events, or trace parents of another count.</exception>
    public static byte[] Encode(StatusBatch batch)
    {
        var events = batch.Events;
        if (events.Count == 1 && batch.TraceParents is null)
        {
            return PipelineJson.Serialize(events[0]);
        }

        if (events.Count == 0 || (batch.TraceParents is { } given && given.Count != events.Count))
        {
            throw new ArgumentException("a status batch needs one trace parent slot per event", nameof(batch));
        }

        var joined = new List<byte>(events.Count * 256);
        for (int i = 0; i < events.Count; i++)
        {
            if (i > 0)
            {
                joined.Add((byte)',');
            }

            joined.AddRange(PipelineJson.Serialize(events[i]));
        }

        return Write(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(joined), batch.TraceParents ?? new string?[events.Count]);
    }

    /// <summary>True when <paramref name="utf8"/> starts as a batch (an object whose first property is <c>version</c>).</summary>
    public static bool IsBatch(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("version"u8);
        }
        catch (JsonException)
        {
            return false; // malformed: the single-event reader reports it
        }
    }

    /// <summary>Reads a version-2 batch.</summary>
    /// <exception cref="JsonException">Malformed JSON, a version other than 2, no <c>events</c>, an empty <c>events</c>, an event
    /// that is not a status event, or a <c>traceparents</c> array whose length differs from the events'.</exception>
    public static StatusBatch Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        List<StatusEvent>? events = null;
        List<string?>? traceParents = null;
        int version = 0;
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "a status batch is an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("version"u8))
            {
                Expect(reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out version), "version is an integer");
                Expect(version == Version, $"unknown status batch version {version}");
            }
            else if (reader.ValueTextEquals("events"u8))
            {
                Expect(reader.Read() && reader.TokenType == JsonTokenType.StartArray, "events is an array");
                events = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    int start = (int)reader.TokenStartIndex;
                    var atStart = reader;
                    if (!PipelineJsonReader.TryReadStatus(ref reader, out var statusEvent))
                    {
                        // Not in the writer's shape: the generated reader decides (or throws), as for a version-1 payload.
                        reader = atStart;
                        reader.Skip();
                        statusEvent = PipelineJson.DeserializeStatus(utf8[start..(int)reader.BytesConsumed]);
                    }

                    events.Add(statusEvent);
                }

                Expect(reader.TokenType == JsonTokenType.EndArray, "events holds status event objects");
            }
            else if (reader.ValueTextEquals("traceparents"u8))
            {
                Expect(reader.Read() && reader.TokenType == JsonTokenType.StartArray, "traceparents is an array");
                traceParents = [];
                while (reader.Read() && reader.TokenType is JsonTokenType.String or JsonTokenType.Null)
                {
                    traceParents.Add(reader.TokenType == JsonTokenType.Null ? null : reader.GetString());
                }

                Expect(reader.TokenType == JsonTokenType.EndArray, "traceparents holds strings or nulls");
            }
            else
            {
                reader.Skip(); // a later minor revision may add fields
            }
        }

        Expect(reader.TokenType == JsonTokenType.EndObject && !reader.Read(), "a status batch is one object");
        Expect(version == Version, "a status batch starts with its version");
        Expect(events is { Count: > 0 }, "a status batch carries at least one event");
        Expect(traceParents is null || traceParents.Count == events!.Count, "traceparents has one entry per event");
        return new StatusBatch(events!, traceParents);
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> target, int at)
    {
        source.CopyTo(target[at..]);
        return at + source.Length;
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new JsonException("status batch: " + what);
        }
    }
}
