using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SmsGateway.Dispatch;
using SmsGateway.Operators.Smpp.Pdu;

namespace SmsGateway.Operators.Smpp.Receipts;

/// <summary>
/// Reads a delivery receipt out of a deliver_sm whose esm_class has the receipt bit (SMPP v3.4 Issue 1.2, §5.2.12): the
/// <c>receipted_message_id</c> (§5.3.2.12) and <c>message_state</c> (§5.3.2.35) TLVs when present, otherwise the receipt
/// text of Appendix B, <c>id:IIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...</c>.
/// </summary>
/// <remarks>
/// The TLVs win over the text when both are present (they are typed; the text is free-form and some SMSCs print the id in
/// another base). <c>done date</c> is read as UTC. Thread-safe: stateless.
/// </remarks>
internal static partial class DeliveryReceiptParser
{
    /// <summary>Outcome of <see cref="Parse"/>.</summary>
    public enum Result
    {
        /// <summary>A final receipt: delivered or not.</summary>
        Final,

        /// <summary>A receipt for an intermediate state (ENROUTE, ACCEPTD): nothing to report yet.</summary>
        Intermediate,

        /// <summary>No message id in the TLVs or the text.</summary>
        NoId,
    }

    /// <summary>Parses the receipt in <paramref name="pdu"/>.</summary>
    /// <param name="operatorName">Operator whose SMSC sent it.</param>
    /// <param name="pdu">A deliver_sm with the receipt bit.</param>
    /// <param name="receivedAt">Used as <see cref="DeliveryReceipt.DoneAt"/> when the text has no readable done date.</param>
    /// <param name="receipt">The receipt when the result is <see cref="Result.Final"/>.</param>
    public static Result Parse(string operatorName, ShortMessagePdu pdu, DateTimeOffset receivedAt, out DeliveryReceipt receipt)
    {
        receipt = default;
        var textBytes = pdu.ShortMessage.Length > 0 ? pdu.ShortMessage : pdu.Find(TlvTag.MessagePayload) ?? ReadOnlyMemory<byte>.Empty;
        var fields = ParseText(Encoding.Latin1.GetString(textBytes.Span));

        string? id = pdu.Find(TlvTag.ReceiptedMessageId) is { } tlvId ? CString(tlvId.Span) : null;
        if (string.IsNullOrEmpty(id))
        {
            id = fields.GetValueOrDefault("id");
        }

        if (string.IsNullOrEmpty(id))
        {
            return Result.NoId;
        }

        string? stat = fields.GetValueOrDefault("stat");
        if (pdu.Find(TlvTag.MessageState) is { Length: 1 } state)
        {
            stat = StateName(state.Span[0]) ?? stat;
        }

        stat = stat?.ToUpperInvariant();
        ReceiptOutcome outcome;
        switch (stat)
        {
            case "DELIVRD":
                outcome = ReceiptOutcome.Delivered;
                break;
            case "ENROUTE" or "ACCEPTD" or null or "":
                return Result.Intermediate;
            default: // UNDELIV, EXPIRED, DELETED, REJECTD, UNKNOWN and anything an SMSC invents
                outcome = ReceiptOutcome.Undelivered;
                break;
        }

        string? err = fields.GetValueOrDefault("err");
        if (string.IsNullOrEmpty(err) && pdu.Find(TlvTag.NetworkErrorCode) is { Length: 3 } network)
        {
            err = ((network.Span[1] << 8) | network.Span[2]).ToString("D3", CultureInfo.InvariantCulture);
        }

        var doneAt = ParseDate(fields.GetValueOrDefault("done date")) ?? receivedAt;
        receipt = new DeliveryReceipt(operatorName, id, outcome, stat, string.IsNullOrEmpty(err) ? null : err, doneAt);
        return Result.Final;
    }

    /// <summary>The key:value fields of a receipt text, keys lower case (Appendix B); <c>text:</c> and what follows is dropped.</summary>
    public static Dictionary<string, string> ParseText(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in FieldPattern().Matches(text))
        {
            var key = m.Groups["key"].Value.ToLowerInvariant();
            if (key == "text")
            {
                break;
            }

            fields.TryAdd(key, m.Groups["value"].Value);
        }

        return fields;
    }

    /// <summary>YYMMDDhhmm or YYMMDDhhmmss (Appendix B), as UTC; null when it does not parse.</summary>
    public static DateTimeOffset? ParseDate(string? value) =>
        value is not null && DateTime.TryParseExact(value, ["yyMMddHHmm", "yyMMddHHmmss"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? new DateTimeOffset(d, TimeSpan.Zero)
            : null;

    /// <summary>message_state values (§5.2.28) as the receipt text spells them.</summary>
    private static string? StateName(byte state) => state switch
    {
        1 => "ENROUTE",
        2 => "DELIVRD",
        3 => "EXPIRED",
        4 => "DELETED",
        5 => "UNDELIV",
        6 => "ACCEPTD",
        7 => "UNKNOWN",
        8 => "REJECTD",
        _ => null,
    };

    private static string CString(ReadOnlySpan<byte> value)
    {
        int nul = value.IndexOf((byte)0);
        return Encoding.ASCII.GetString(nul < 0 ? value : value[..nul]);
    }

    [GeneratedRegex(@"(?<key>submit date|done date|id|sub|dlvrd|stat|err|text):(?<value>\S*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FieldPattern();
}
