using SmsGateway.Segmentation;

namespace SmsGateway.Operators.Smpp;

/// <summary>
/// The source address of a submit_sm with its TON/NPI (SMPP v3.4 Issue 1.2, §5.2.5 and §5.2.6), the one place where the
/// sender of a message is chosen.
/// </summary>
/// <param name="Address">source_addr as sent (a leading <c>+</c> removed).</param>
/// <param name="Ton">source_addr_ton: 1 international, 0 unknown, 5 alphanumeric.</param>
/// <param name="Npi">source_addr_npi: 1 ISDN (E.164), 0 unknown.</param>
public readonly record struct SourceAddress(string Address, byte Ton, byte Npi)
{
    /// <summary>Longest alphanumeric sender: 11 GSM characters (3GPP TS 23.040 §9.1.2.5).</summary>
    public const int MaxAlphanumeric = 11;

    /// <summary>
    /// Picks the sender: <paramref name="from"/> when given, otherwise the operator's <c>source_addr</c>; then its TON/NPI:
    /// <list type="bullet">
    /// <item><c>+</c> and digits, or 11+ digits: international, TON 1 / NPI 1 (the <c>+</c> is dropped);</item>
    /// <item>up to 10 digits (short codes, national line numbers): TON 0 / NPI 1, left for the SMSC to interpret;</item>
    /// <item>anything else: alphanumeric, TON 5 / NPI 0, at most 11 GSM-7 characters.</item>
    /// </list>
    /// <c>source_addr_ton</c> / <c>source_addr_npi</c> in the connection override the choice for the operator's default sender only.
    /// </summary>
    /// <param name="from">The message's own sender, or null for the operator default.</param>
    /// <param name="options">The operator's connection.</param>
    /// <exception cref="ArgumentException">An alphanumeric sender is longer than 11 characters or not GSM-7.</exception>
    public static SourceAddress Choose(string? from, SmppConnectionOptions options)
    {
        var address = string.IsNullOrEmpty(from) ? options.SourceAddr : from;
        SourceAddress chosen;
        var digits = address.StartsWith('+') ? address[1..] : address;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
        {
            chosen = address.StartsWith('+') || digits.Length > 10 ? new(digits, 1, 1) : new(digits, 0, 1);
        }
        else if (address.Length > MaxAlphanumeric || !Gsm7Alphabet.CanEncode(address))
        {
            throw new ArgumentException($"sender '{address}' is neither a number nor an alphanumeric sender of at most {MaxAlphanumeric} GSM characters", nameof(from));
        }
        else
        {
            chosen = new(address, 5, 0);
        }

        if (string.IsNullOrEmpty(from))
        {
            chosen = chosen with { Ton = options.SourceAddrTon ?? chosen.Ton, Npi = options.SourceAddrNpi ?? chosen.Npi };
        }

        return chosen;
    }
}
