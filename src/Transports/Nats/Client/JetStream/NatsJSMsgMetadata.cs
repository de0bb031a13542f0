using System.Globalization;

namespace SmsGateway.Transports.Nats.Client.JetStream;

/// <summary>
/// Delivery facts encoded in a JetStream ack subject. Two forms exist:
/// <c>$JS.ACK.&lt;stream&gt;.&lt;consumer&gt;.&lt;delivered&gt;.&lt;sseq&gt;.&lt;cseq&gt;.&lt;ts&gt;.&lt;pending&gt;</c> (9 tokens) and the newer
/// <c>$JS.ACK.&lt;domain&gt;.&lt;account hash&gt;.&lt;stream&gt;.&lt;consumer&gt;.&lt;delivered&gt;.&lt;sseq&gt;.&lt;cseq&gt;.&lt;ts&gt;.&lt;pending&gt;[.&lt;random&gt;]</c>
/// (11+ tokens; domain <c>_</c> means none). https://docs.nats.io/reference/reference-protocols/nats_api_reference.
/// </summary>
/// <param name="Stream">Stream name.</param>
/// <param name="Consumer">Consumer name.</param>
/// <param name="NumDelivered">Deliveries of this message, this one included (1 for the first).</param>
/// <param name="StreamSequence">Sequence in the stream.</param>
/// <param name="ConsumerSequence">Sequence in the consumer (counts redeliveries).</param>
/// <param name="Timestamp">When the message was stored.</param>
/// <param name="NumPending">Messages still pending for the consumer.</param>
/// <param name="Domain">JetStream domain, or null.</param>
public readonly record struct NatsJSMsgMetadata(
    string Stream,
    string Consumer,
    long NumDelivered,
    ulong StreamSequence,
    ulong ConsumerSequence,
    DateTimeOffset Timestamp,
    ulong NumPending,
    string? Domain)
{
    /// <summary>Parses an ack subject; null when it is not one.</summary>
    public static NatsJSMsgMetadata? Parse(string? ackSubject) => Parse(ackSubject, null, null);

    /// <summary>
    /// Parses an ack subject, reusing <paramref name="knownStream"/> / <paramref name="knownConsumer"/> when the subject
    /// names them. A pull consumer sees the same two names on every message: reusing them, and tokenizing into ranges
    /// instead of <c>string.Split</c>, leaves no per-message allocation besides the result.
    /// </summary>
    internal static NatsJSMsgMetadata? Parse(string? ackSubject, string? knownStream, string? knownConsumer)
    {
        if (ackSubject is null || !ackSubject.StartsWith("$JS.ACK.", StringComparison.Ordinal))
        {
            return null;
        }

        var text = ackSubject.AsSpan();
        Span<Range> tokens = stackalloc Range[13]; // 12 in the longest known form; extra tokens end up in the last range
        var count = text.Split(tokens, '.');
        int offset;
        string? domain = null;
        if (count == 9)
        {
            offset = 2;
        }
        else if (count >= 11)
        {
            var d = text[tokens[2]];
            domain = d is "_" ? null : d.ToString();
            offset = 4;
        }
        else
        {
            return null;
        }

        var ok = long.TryParse(text[tokens[offset + 2]], NumberStyles.None, CultureInfo.InvariantCulture, out var delivered)
            & ulong.TryParse(text[tokens[offset + 3]], NumberStyles.None, CultureInfo.InvariantCulture, out var sseq)
            & ulong.TryParse(text[tokens[offset + 4]], NumberStyles.None, CultureInfo.InvariantCulture, out var cseq)
            & long.TryParse(text[tokens[offset + 5]], NumberStyles.None, CultureInfo.InvariantCulture, out var ts)
            & ulong.TryParse(text[tokens[offset + 6]], NumberStyles.None, CultureInfo.InvariantCulture, out var pending);
        if (!ok)
        {
            return null;
        }

        return new NatsJSMsgMetadata(
            Reuse(text[tokens[offset]], knownStream),
            Reuse(text[tokens[offset + 1]], knownConsumer),
            delivered,
            sseq,
            cseq,
            DateTimeOffset.UnixEpoch.AddTicks(ts / 100),
            pending,
            domain);
    }

    private static string Reuse(ReadOnlySpan<char> token, string? known) =>
        known is not null && token.SequenceEqual(known) ? known : token.ToString();
}
