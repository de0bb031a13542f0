using System.Text.Json;
using System.Text.Json.Serialization;
using SmsGateway.Model;

namespace SmsGateway.Serialization;

/// <summary>
/// The wire format of transport payloads: UTF-8 JSON with snake_case names and string enums, generated at compile time
/// (no reflection). Every transport carries these bytes unchanged, so tools in other languages can read them.
/// </summary>
public static class PipelineJson
{
    // Raw UTF-8 for non-ASCII text instead of \uXXXX escapes: Persian bodies otherwise cost ~6 µs per encode (measured by
    // StageBenchmarks) and twice the bytes. Safe here: these payloads go to brokers, never into HTML.
    private static readonly PipelineJsonContext Writer = new(new JsonSerializerOptions(PipelineJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>
    /// Options for a <see cref="Utf8JsonWriter"/> that writes the same bytes as <see cref="Serialize(SmsMessage)"/> and
    /// <see cref="Serialize(StatusEvent)"/>: the writer, not the serializer's options, decides the escaping.
    /// </summary>
    internal static readonly JsonWriterOptions WireWriterOptions = new() { Encoder = Writer.Options.Encoder };

    /// <summary>Serializes a message for <c>sms-express</c>, <c>sms-normal</c> or <c>sms-dlq</c>.</summary>
    public static byte[] Serialize(SmsMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, Writer.SmsMessage);

    /// <summary>Writes a message's version-1 object to <paramref name="writer"/>, made with <see cref="WireWriterOptions"/>.</summary>
    internal static void Write(Utf8JsonWriter writer, SmsMessage message) => JsonSerializer.Serialize(writer, message, Writer.SmsMessage);

    /// <summary>Writes a status event's version-1 object to <paramref name="writer"/>, made with <see cref="WireWriterOptions"/>.</summary>
    internal static void Write(Utf8JsonWriter writer, StatusEvent statusEvent) => JsonSerializer.Serialize(writer, statusEvent, Writer.StatusEvent);

    /// <summary>Serializes a status event for <c>sms-status</c>.</summary>
    public static byte[] Serialize(StatusEvent statusEvent) => JsonSerializer.SerializeToUtf8Bytes(statusEvent, Writer.StatusEvent);

    /// <summary>Reads a message.</summary>
    /// <exception cref="JsonException">The payload is not a message.</exception>
    public static SmsMessage DeserializeMessage(ReadOnlySpan<byte> utf8) =>
        PipelineJsonReader.TryReadMessage(utf8, out var message) ? message
            : JsonSerializer.Deserialize(utf8, PipelineJsonContext.Default.SmsMessage) ?? throw new JsonException("null message payload");

    /// <summary>
    /// Reads an <c>sms-express</c> / <c>sms-normal</c> payload of either wire format: one message (version 1) or a frame
    /// (version 2, <c>{"version":2,"messages":[…]}</c>; docs/architecture.md, "Message frames").
    /// </summary>
    /// <returns>The messages in the order written (one for version 1).</returns>
    /// <exception cref="JsonException">The payload is neither a message nor a version-2 frame of them.</exception>
    public static IReadOnlyList<SmsMessage> DeserializeMessages(ReadOnlySpan<byte> utf8) =>
        MessageFrameJson.IsFrame(utf8) ? [.. MessageFrameJson.Read(utf8).Select(m => m.Message)] : [DeserializeMessage(utf8)];

    /// <summary>Reads a status event.</summary>
    /// <exception cref="JsonException">The payload is not a status event.</exception>
    public static StatusEvent DeserializeStatus(ReadOnlySpan<byte> utf8) =>
        PipelineJsonReader.TryReadStatus(utf8, out var statusEvent) ? statusEvent
            : JsonSerializer.Deserialize(utf8, PipelineJsonContext.Default.StatusEvent) ?? throw new JsonException("null status payload");

    /// <summary>
    /// Reads an <c>sms-status</c> payload of either wire format: a single event (version 1) or a batch (version 2,
    /// <c>{"version":2,"events":[…]}</c>; docs/architecture.md, "Status events on the wire").
    /// </summary>
    /// <returns>The events in the order written (one for version 1).</returns>
    /// <exception cref="JsonException">The payload is neither a status event nor a version-2 batch of them.</exception>
    public static IReadOnlyList<StatusEvent> DeserializeStatuses(ReadOnlySpan<byte> utf8) => ReadStatusPayload(utf8).Events;

    /// <summary>Reads either wire format of <c>sms-status</c> with the batch's trace parents. Throws <see cref="JsonException"/>.</summary>
    internal static StatusBatch ReadStatusPayload(ReadOnlySpan<byte> utf8) =>
        StatusBatchJson.IsBatch(utf8) ? StatusBatchJson.Read(utf8) : new StatusBatch([DeserializeStatus(utf8)], null);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SmsMessage))]
[JsonSerializable(typeof(StatusEvent))]
internal sealed partial class PipelineJsonContext : JsonSerializerContext;
