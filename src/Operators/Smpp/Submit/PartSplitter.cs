using SmsGateway.Model;
using SmsGateway.Segmentation;

namespace SmsGateway.Operators.Smpp.Submit;

/// <summary>
/// Splits a text into the parts one submit_sm each carries. UDH with an 8-bit reference and <c>sar_*</c> use the
/// gateway's own split (<see cref="SegmentCalculator.Split"/>: 153 septets / 67 UCS-2 units per part, so the parts are the
/// segments the message was billed for). A 16-bit reference UDH is one octet longer and leaves 152 septets / 66 units per
/// part (3GPP TS 23.040 §9.2.3.24.8), so it splits here with the same rules: an escape sequence or a surrogate pair
/// never straddles two parts.
/// </summary>
/// <remarks>Thread-safe: stateless.</remarks>
internal static class PartSplitter
{
    /// <summary>Septets per part under a 7-octet UDH.</summary>
    public const int Gsm7PartUdh16 = 152;

    /// <summary>UCS-2 units per part under a 7-octet UDH.</summary>
    public const int Ucs2PartUdh16 = 66;

    /// <summary>The parts of <paramref name="text"/> for <paramref name="mode"/>, and their encoding.</summary>
    public static (SmsEncoding Encoding, IReadOnlyList<string> Parts) Split(string text, ConcatenationMode mode)
    {
        var info = SegmentCalculator.Analyze(text);
        if (mode == ConcatenationMode.Payload || info.Segments == 1)
        {
            return (info.Encoding, [text]);
        }

        if (mode != ConcatenationMode.Udh16)
        {
            return (info.Encoding, SegmentCalculator.Split(text));
        }

        int limit = info.Encoding == SmsEncoding.Gsm7 ? Gsm7PartUdh16 : Ucs2PartUdh16;
        var parts = new List<string>();
        int start = 0, used = 0;
        for (int i = 0; i < text.Length; i++)
        {
            // a GSM escape sequence costs 2 and moves whole; a surrogate pair is counted at its high half and moves whole
            int cost = info.Encoding == SmsEncoding.Gsm7 ? Gsm7Alphabet.SeptetCost(text[i])
                : char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            if (used + cost > limit)
            {
                parts.Add(text[start..i]);
                start = i;
                used = 0;
            }

            used += cost;
            if (cost == 2 && info.Encoding == SmsEncoding.Ucs2)
            {
                i++;
            }
        }

        parts.Add(text[start..]);
        return (info.Encoding, parts);
    }
}
