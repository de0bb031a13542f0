namespace SmsGateway.Load.Generation;

/// <summary>How a text is encoded and into how many SMS parts it splits.</summary>
/// <param name="Encoding"><c>GSM-7</c> or <c>UCS-2</c>, spelled as the gateway answers.</param>
/// <param name="Units">Septets (GSM-7) or UTF-16 code units (UCS-2).</param>
/// <param name="Segments">Number of parts.</param>
public sealed record SegmentCount(string Encoding, int Units, int Segments)
{
    /// <summary>Encoding name for the GSM 7-bit default alphabet.</summary>
    public const string Gsm7 = "GSM-7";

    /// <summary>Encoding name for UCS-2.</summary>
    public const string Ucs2 = "UCS-2";

    /// <summary>
    /// Counts segments per 3GPP TS 23.040 §9.2.3.24.1: single part 160 septets / 70 units, concatenated parts 153 / 67,
    /// an escape pair or a surrogate pair is never split across parts (parts are filled greedily).
    /// </summary>
    public static SegmentCount Of(string text)
    {
        var gsm = true;
        foreach (var c in text)
            if (GsmAlphabet.Septets(c) == 0) { gsm = false; break; }
        return gsm ? Count(text, Gsm7, 160, 153, i => GsmAlphabet.Septets(text[i])) : Count(text, Ucs2, 70, 67, i => char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1);
    }

    private static SegmentCount Count(string text, string encoding, int single, int part, Func<int, int> unitAt)
    {
        var units = new List<int>(text.Length);
        for (var i = 0; i < text.Length;)
        {
            var u = unitAt(i);
            units.Add(u);
            i += encoding == Ucs2 ? u : 1;
        }
        var total = units.Sum();
        if (total <= single) return new SegmentCount(encoding, total, 1);
        int parts = 1, fill = 0;
        foreach (var u in units)
        {
            if (fill + u > part) { parts++; fill = 0; }
            fill += u;
        }
        return new SegmentCount(encoding, total, parts);
    }
}
