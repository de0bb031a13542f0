namespace SmsGateway.Transport;

/// <summary>A message to publish.</summary>
/// <param name="Key">Partitioning / ordering key (the user id): messages with one key keep their order where the broker orders by key.</param>
/// <param name="Payload">Serialized body (UTF-8 JSON from <see cref="Serialization.PipelineJson"/>).</param>
/// <param name="MessageId">Broker-side de-duplication id (for example <c>Nats-Msg-Id</c>); null for none.</param>
/// <param name="Headers">Headers such as <see cref="TransportHeaders.Attempt"/> and <see cref="TransportHeaders.TraceParent"/>; null for none.</param>
public readonly record struct OutgoingMessage(
    string Key,
    ReadOnlyMemory<byte> Payload,
    string? MessageId = null,
    IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>
    /// What <see cref="Payload"/> decodes to, when the publisher has it at hand (a status frame's events, the accept stage's
    /// messages); null otherwise. Only the in-memory transport uses it: it stores the message in the same process, so its
    /// consumer takes these objects instead of decoding the bytes (docs/architecture.md "Status events on the wire",
    /// "Message frames"). Other transports ignore it.
    /// </summary>
    internal object? Decoded { get; init; }

    /// <summary>
    /// Set with <see cref="Decoded"/> when the bytes are left to be made on first read: <see cref="Payload"/> is then empty and
    /// <see cref="Bytes"/> writes them from <see cref="Decoded"/>. Only for the in-memory transport, whose consumers in this
    /// process take <see cref="Decoded"/> and seldom read the bytes (a dead letter, its replay, the drain at a graceful stop);
    /// other transports need <see cref="Payload"/> itself (docs/architecture.md "Status events on the wire", "Message frames").
    /// </summary>
    internal Func<object, byte[]>? Encode { get; init; }

    /// <summary>The message's bytes: <see cref="Payload"/>, or written from <see cref="Decoded"/> by <see cref="Encode"/> (a new array per call).</summary>
    internal ReadOnlyMemory<byte> Bytes() => Encode is { } encode ? encode(Decoded!) : Payload;
}

/// <summary>Header names shared by all transports.</summary>
public static class TransportHeaders
{
    /// <summary>Send attempt of the message (decimal integer, 1-based).</summary>
    public const string Attempt = "sms-attempt";

    /// <summary>W3C trace context (https://www.w3.org/TR/trace-context/).</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C trace state, vendor data that travels with <see cref="TraceParent"/> (https://www.w3.org/TR/trace-context/#tracestate-header).</summary>
    public const string TraceState = "tracestate";
}
