using SmsGateway.Segmentation;

namespace SmsGateway.Validation;

/// <summary>
/// Sender ids (<c>"from"</c> of <c>/send</c>, SMPP <c>source_addr</c>): a line number of up to 15 digits (E.164 allows 15;
/// ITU-T E.164 §6.1) or an alphanumeric name of up to 11 GSM-7 characters (3GPP TS 23.040 §9.1.2.5: an alphanumeric
/// TP-OA holds 11 septets). The SMPP client picks TON/NPI from the kind (SMPP 3.4 §5.2.5 and §5.2.6: alphanumeric TON 5,
/// NPI 0; a number TON 1 or 2, NPI 1).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class SenderId
{
    /// <summary>Longest line number, digits.</summary>
    public const int MaxDigits = 15;

    /// <summary>Longest alphanumeric sender, GSM-7 characters.</summary>
    public const int MaxAlphanumeric = 11;

    /// <summary>The rule as problem details state it.</summary>
    public static readonly string Rule = $"a line number of 1-{MaxDigits} digits (an optional leading '+') or 1-{MaxAlphanumeric} GSM-7 letters, digits, spaces or punctuation with at least one letter";

    /// <summary>Classifies <paramref name="from"/>; null when it is neither a line number nor an alphanumeric sender.</summary>
    public static SenderKind? Classify(string? from)
    {
        if (string.IsNullOrEmpty(from))
        {
            return null;
        }

        var digits = from.AsSpan(from[0] == '+' ? 1 : 0);
        if (digits.Length is >= 1 and <= MaxDigits && !digits.ContainsAnyExceptInRange('0', '9'))
        {
            return SenderKind.Numeric;
        }

        // Extension-table characters cost two septets and are not allowed in an 11-septet address.
        if (from.Length <= MaxAlphanumeric && from.Trim().Length == from.Length && from.Any(char.IsLetter)
            && from.All(c => Gsm7Alphabet.SeptetCost(c) == 1))
        {
            return SenderKind.Alphanumeric;
        }

        return null;
    }
}

/// <summary>Kind of a sender id.</summary>
public enum SenderKind
{
    /// <summary>A line number (digits).</summary>
    Numeric = 0,

    /// <summary>A name (letters and digits, GSM-7).</summary>
    Alphanumeric = 1,
}
