using System.Text.Json;
using SmsGateway.Model;

namespace SmsGateway.Serialization;

/// <summary>
/// The two wire formats of an <c>sms-express</c> / <c>sms-normal</c> payload (docs/architecture.md, "Message frames"):
/// <list type="bullet">
/// <item>version 1, one message: the <see cref="SmsMessage"/> object as <see cref="PipelineJson.Serialize(SmsMessage)"/> writes it;</item>
/// <item>version 2, a frame of messages to one topic: <c>{"version":2,"messages":[m1,m2,…]}</c>, where each <c>mN</c> is a
/// version-1 message object. One broker publish, delivery and ack then carry up to
/// <see cref="PipelineOptions.MessageFrameSize"/> messages.</item>
/// </list>
/// As with status batches (<see cref="StatusBatchJson"/>), a version-2 writer writes <c>"version"</c> first, so a reader
/// tells the formats apart by the first property name. <c>sms-dlq</c> carries version 1 only: a retry is one message.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class MessageFrameJson
{
    /// <summary>The frame format's version number.</summary>
    public const int Version = 2;

    private static ReadOnlySpan<byte> Head => "{\"version\":2,\"messages\":["u8;

    /// <summary>
    /// Writes a version-2 frame of <paramref name="messages"/> in one pass: the same bytes as <see cref="Write(IReadOnlyList{byte[]})"/>
    /// over each message's <see cref="PipelineJson.Serialize(SmsMessage)"/>, without an array per message (bench/README.md
    /// "Frames written in one pass"). Thread-safe: the scratch buffer is per thread.
    /// </summary>
    /// <returns>The frame's UTF-8 JSON, an array of exactly its length.</returns>
    /// <exception cref="ArgumentException"><paramref name="messages"/> is empty.</exception>
    public static byte[] Write(IReadOnlyList<SmsMessage> messages)
    {
        if (messages.Count == 0)
        {
            throw new ArgumentException("a message frame needs at least one message", nameof(messages));
        }

        var writer = WireScratch.Start();
        writer.WriteStartObject();
        writer.WriteNumber("version"u8, Version);
        writer.WriteStartArray("messages"u8);
        for (int i = 0; i < messages.Count; i++)
        {
            PipelineJson.Write(writer, messages[i]);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        return WireScratch.Finish().ToArray();
    }

    /// <summary>Writes a version-2 frame from messages already serialized as version 1.</summary>
    /// <exception cref="ArgumentException"><paramref name="messages"/> is empty.</exception>
    public static byte[] Write(IReadOnlyList<byte[]> messages)
    {
        if (messages.Count == 0)
        {
            throw new ArgumentException("a message frame needs at least one message", nameof(messages));
        }

        int size = Head.Length + (messages.Count - 1) + 2; // head, commas, "]}"
        foreach (var m in messages)
        {
            size += m.Length;
        }

        var buffer = new byte[size];
        Head.CopyTo(buffer);
        int at = Head.Length;
        for (int i = 0; i < messages.Count; i++)
        {
            if (i > 0)
            {
                buffer[at++] = (byte)',';
            }

            messages[i].CopyTo(buffer, at);
            at += messages[i].Length;
        }

        buffer[at++] = (byte)']';
        buffer[at] = (byte)'}';
        return buffer;
    }

    /// <summary>True when <paramref name="utf8"/> starts as a frame (an object whose first property is <c>version</c>).</summary>
    public static bool IsFrame(ReadOnlySpan<byte> utf8) => StatusBatchJson.IsBatch(utf8);

    /// <summary>Reads a version-2 frame.</summary>
    /// <returns>Each message with the byte range of its version-1 object inside <paramref name="utf8"/>, in the order written.</returns>
    /// <exception cref="JsonException">Malformed JSON, a version other than 2, no or an empty <c>messages</c>, or an entry that
    /// is not a message.</exception>
    public static (SmsMessage Message, Range Bytes)[] Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        List<(SmsMessage, Range)>? messages = null;
        int version = 0;
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "a message frame is an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("version"u8))
            {
                Expect(reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out version), "version is an integer");
                Expect(version == Version, $"unknown message frame version {version}");
            }
            else if (reader.ValueTextEquals("messages"u8))
            {
                Expect(reader.Read() && reader.TokenType == JsonTokenType.StartArray, "messages is an array");
                messages = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    int start = (int)reader.TokenStartIndex;
                    var atStart = reader;
                    if (!PipelineJsonReader.TryReadMessage(ref reader, out var message))
                    {
                        // Not in the writer's shape: the generated reader decides (or throws), as for a version-1 payload.
                        reader = atStart;
                        reader.Skip();
                        message = PipelineJson.DeserializeMessage(utf8[start..(int)reader.BytesConsumed]);
                    }

                    messages.Add((message, start..(int)reader.BytesConsumed));
                }

                Expect(reader.TokenType == JsonTokenType.EndArray, "messages holds message objects");
            }
            else
            {
                reader.Skip(); // a later minor revision may add fields
            }
        }

        Expect(reader.TokenType == JsonTokenType.EndObject && !reader.Read(), "a message frame is one object");
        Expect(version == Version, "a message frame starts with its version");
        Expect(messages is { Count: > 0 }, "a message frame carries at least one message");
        return [.. messages!];
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new JsonException("message frame: " + what);
        }
    }
}
