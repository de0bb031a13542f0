using SmsGateway.Model;

namespace SmsGateway.Segmentation;

/// <summary>
/// Chooses the encoding of a text and counts its SMS parts (3GPP TS 23.038 for the alphabets, TS 23.040 section 9.2.3.24.1
/// for concatenation: a 6-octet UDH leaves 153 septets or 67 UCS-2 units per part, against 160 / 70 for a single message).
/// </summary>
/// <remarks>
/// A part never ends between the two septets of an escape sequence nor between the two halves of a surrogate pair: such a
/// character moves whole to the next part. Stateless and thread-safe.
/// </remarks>
public static class SegmentCalculator
{
    /// <summary>Septets in a single GSM-7 message.</summary>
    public const int Gsm7Single = 160;

    /// <summary>Septets per part of a concatenated GSM-7 message.</summary>
    public const int Gsm7Part = 153;

    /// <summary>UTF-16 units in a single UCS-2 message.</summary>
    public const int Ucs2Single = 70;

    /// <summary>UTF-16 units per part of a concatenated UCS-2 message.</summary>
    public const int Ucs2Part = 67;

    /// <summary>Encoding, part count and size of <paramref name="text"/>; no allocation. Empty text is one (empty) GSM-7 part.</summary>
    public static SegmentInfo Analyze(ReadOnlySpan<char> text)
    {
        // One pass: add up septets, and fall back to UCS-2 at the first character GSM-7 cannot carry.
        int septets = 0;
        foreach (char c in text)
        {
            int cost = Gsm7Alphabet.SeptetCost(c);
            if (cost == 0)
            {
                return new SegmentInfo(SmsEncoding.Ucs2, text.Length <= Ucs2Single ? 1 : CountUcs2Parts(text), text.Length);
            }

            septets += cost;
        }

        return new SegmentInfo(SmsEncoding.Gsm7, septets <= Gsm7Single ? 1 : CountGsm7Parts(text), septets);
    }

    /// <summary>
    /// Splits <paramref name="text"/> into the parts an operator receives (what a UDH-concatenated message carries).
    /// </summary>
    /// <returns>The parts in order; one part when the text fits a single message.</returns>
    public static IReadOnlyList<string> Split(string text)
    {
        var info = Analyze(text);
        if (info.Segments == 1)
        {
            return [text];
        }

        var parts = new List<string>(info.Segments);
        int start = 0;
        if (info.Encoding == SmsEncoding.Gsm7)
        {
            int used = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int cost = Gsm7Alphabet.SeptetCost(text[i]);
                if (used + cost > Gsm7Part)
                {
                    parts.Add(text[start..i]);
                    start = i;
                    used = 0;
                }

                used += cost;
            }
        }
        else
        {
            while (text.Length - start > Ucs2Part)
            {
                int i = start + Ucs2Part;
                if (char.IsLowSurrogate(text[i]) && char.IsHighSurrogate(text[i - 1]))
                {
                    i--;
                }

                parts.Add(text[start..i]);
                start = i;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static int CountGsm7Parts(ReadOnlySpan<char> text)
    {
        int parts = 1, used = 0;
        foreach (char c in text)
        {
            int cost = Gsm7Alphabet.SeptetCost(c);
            if (used + cost > Gsm7Part)
            {
                parts++;
                used = 0;
            }

            used += cost;
        }

        return parts;
    }

    private static int CountUcs2Parts(ReadOnlySpan<char> text)
    {
        int parts = 0, start = 0;
        while (text.Length - start > Ucs2Part)
        {
            int end = start + Ucs2Part;
            if (char.IsLowSurrogate(text[end]) && char.IsHighSurrogate(text[end - 1]))
            {
                end--;
            }

            parts++;
            start = end;
        }

        return parts + 1;
    }
}
