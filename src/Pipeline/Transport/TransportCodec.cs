using System.Diagnostics;
using System.Globalization;
using SmsGateway.Model;
using SmsGateway.Serialization;

namespace SmsGateway.Transport;

/// <summary>Builds the <see cref="OutgoingMessage"/>s of the flow: key = user id, broker de-duplication id, attempt and trace headers.</summary>
internal static class TransportCodec
{
    // Header sets for the common no-trace case, so the hot path allocates no dictionary.
    private static readonly IReadOnlyDictionary<string, string>[] AttemptHeaders =
        [.. Enumerable.Range(0, 8).Select(i => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [TransportHeaders.Attempt] = i.ToString(CultureInfo.InvariantCulture) })];

    public static OutgoingMessage ForMessage(SmsMessage message) =>
        new(message.UserId, PipelineJson.Serialize(message), MessageId(message), Headers(message.Attempt));

    /// <summary>
    /// Messages to one topic in one broker message: a lone message as <see cref="ForMessage"/> writes it, two or
    /// more as a version-2 frame (<see cref="MessageFrameJson"/>) with key = the first message's user, de-duplication id
    /// <see cref="FrameId"/> (the same frame published again is dropped by the broker), and the headers of the first
    /// message (attempt and the current trace context).
    /// </summary>
    /// <param name="messages">One or more messages, in order.</param>
    /// <param name="withDecoded">True for the in-memory transport: the messages are handed over as they are
    /// (<see cref="OutgoingMessage.Decoded"/>, read back by <see cref="DecodedMessages"/>) and the payload is left empty, to be
    /// written only if read (<see cref="OutgoingMessage.Encode"/>; docs/architecture.md "Message frames").</param>
    /// <exception cref="ArgumentException"><paramref name="messages"/> is empty.</exception>
    public static OutgoingMessage ForMessages(IReadOnlyList<SmsMessage> messages, bool withDecoded = false)
    {
        if (messages.Count == 0)
        {
            throw new ArgumentException("a message frame needs at least one message", nameof(messages));
        }

        var first = messages[0];
        if (!withDecoded)
        {
            return messages.Count == 1 ? ForMessage(first)
                : new(first.UserId, MessageFrameJson.Write(messages), FrameId(first, messages.Count), Headers(first.Attempt));
        }

        if (messages.Count == 1)
        {
            return new(first.UserId, ReadOnlyMemory<byte>.Empty, MessageId(first), Headers(first.Attempt)) { Decoded = AsWritten(first), Encode = WriteLone };
        }

        var handed = new SmsMessage[messages.Count];
        for (int i = 0; i < handed.Length; i++)
        {
            handed[i] = AsWritten(messages[i]);
        }

        return new(first.UserId, ReadOnlyMemory<byte>.Empty, FrameId(first, handed.Length), Headers(first.Attempt)) { Decoded = handed, Encode = WriteFrame };
    }

    /// <summary>
    /// The messages a delivery of <c>sms-express</c> or <c>sms-normal</c> carries as the publisher handed them over in this
    /// process (<see cref="ForMessages"/> with <c>withDecoded</c>): <paramref name="lone"/> for a lone message, or
    /// <paramref name="frame"/> for a frame's messages in order, as <see cref="PipelineJson.DeserializeMessage"/> and
    /// <see cref="MessageFrameJson.Read"/> would give them. Both null when the delivery has no such form (another transport,
    /// another writer, a replayed dead letter): the caller decodes the payload.
    /// </summary>
    public static void DecodedMessages(IDelivery delivery, out SmsMessage? lone, out SmsMessage[]? frame)
    {
        var decoded = (delivery as InMemory.InMemoryDelivery)?.Decoded;
        lone = decoded as SmsMessage;
        frame = decoded as SmsMessage[];
    }

    // The message as a reader of its bytes gets it: StoreText is not written to the broker (SmsMessage).
    private static SmsMessage AsWritten(SmsMessage message) => message.StoreText ? message with { StoreText = false } : message;

    private static readonly Func<object, byte[]> WriteLone = static message => PipelineJson.Serialize((SmsMessage)message);

    private static readonly Func<object, byte[]> WriteFrame = static messages => MessageFrameJson.Write((SmsMessage[])messages);

    // A lone message's broker de-duplication id: {message id}.{attempt}.
    private static string MessageId(SmsMessage message) =>
        string.Create(CultureInfo.InvariantCulture, $"{message.Id:N}.{message.Attempt}");

    /// <summary>
    /// The rest of a delivered frame published back to its topic (docs/architecture.md "Message frames"): the version-1
    /// bytes of its messages (<paramref name="first"/> is the first of them), as one message or a frame, with the delivered
    /// frame's key and headers and de-duplication id <see cref="FrameId"/>.
    /// </summary>
    public static OutgoingMessage ForFrameRest(IDelivery frame, IReadOnlyList<byte[]> payloads, SmsMessage first) =>
        new(frame.Key, payloads.Count == 1 ? payloads[0] : MessageFrameJson.Write(payloads), FrameId(first, payloads.Count), frame.Headers);

    /// <summary>A frame's broker de-duplication id: <c>f{first message id}.{its attempt}.{message count}</c>.</summary>
    public static string FrameId(SmsMessage first, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"f{first.Id:N}.{first.Attempt}.{count}");

    public static OutgoingMessage ForStatus(StatusEvent e) =>
        new(e.UserId, PipelineJson.Serialize(e), StatusId(e), Headers(e.Attempt));

    /// <summary>
    /// A version-2 status batch (<see cref="StatusBatchJson"/>): key = the first event's user id, a fresh de-duplication id (the
    /// transport's own retries of this message reuse it), attempt header 0, and the first traced event's
    /// <c>traceparent</c> as the message's parent (every event's parent travels in the payload).
    /// </summary>
    public static OutgoingMessage ForStatusBatch(string key, byte[] payload, string? traceParent)
    {
        var headers = traceParent is null ? AttemptHeaders[0]
            : new Dictionary<string, string>(2) { [TransportHeaders.Attempt] = "0", [TransportHeaders.TraceParent] = traceParent };
        return new(key, payload, "b" + MessageIds.New().ToString("N"), headers);
    }

    /// <summary>A version-1 status event already serialized, with the headers of <see cref="ForStatus(StatusEvent)"/> and the given trace parent.</summary>
    public static OutgoingMessage ForStatus(StatusEvent e, byte[] payload, string? traceParent)
    {
        IReadOnlyDictionary<string, string> headers;
        if (traceParent is null && e.Attempt < AttemptHeaders.Length)
        {
            headers = AttemptHeaders[e.Attempt];
        }
        else
        {
            var own = new Dictionary<string, string>(2) { [TransportHeaders.Attempt] = e.Attempt.ToString(CultureInfo.InvariantCulture) };
            if (traceParent is not null)
            {
                own[TransportHeaders.TraceParent] = traceParent;
            }

            headers = own;
        }

        return new(e.UserId, payload, StatusId(e), headers);
    }

    private static string StatusId(StatusEvent e) => string.Create(CultureInfo.InvariantCulture, $"{e.MessageId:N}.{(int)e.Status}.{e.Attempt}");

    private static IReadOnlyDictionary<string, string> Headers(int attempt)
    {
        var activity = Activity.Current;
        if (activity is null && attempt < AttemptHeaders.Length)
        {
            return AttemptHeaders[attempt];
        }

        var headers = new Dictionary<string, string>(3) { [TransportHeaders.Attempt] = attempt.ToString(CultureInfo.InvariantCulture) };
        if (activity is { IdFormat: ActivityIdFormat.W3C })
        {
            headers[TransportHeaders.TraceParent] = activity.Id!;
            if (activity.TraceStateString is { } state)
            {
                headers[TransportHeaders.TraceState] = state;
            }
        }

        return headers;
    }
}
