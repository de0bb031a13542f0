using SmsGateway.Segmentation;

namespace SmsGateway.Operators.Smpp.Submit;

/// <summary>
/// GSM 03.38 septets for data_coding 0, with the code values of <see cref="Gsm7Alphabet"/> (3GPP TS 23.038 §6.2.1, §6.2.1.1).
/// </summary>
/// <remarks>
/// data_coding 0 is "SMSC default alphabet" (SMPP v3.4 Issue 1.2, §5.2.19). Septets go unpacked, one per octet (the
/// SMSC packs them for the air interface), as Kannel and Jasmin send them; an extension character is the escape 0x1B
/// followed by its code. Thread-safe: stateless.
/// </remarks>
internal static class Gsm7Septets
{
    /// <summary>Septets of <paramref name="c"/>: one code, an escape and a code, or none (not GSM-7).</summary>
    public static int Count(char c) => Gsm7Alphabet.TryGetCode(c, out _, out bool escaped) ? (escaped ? 2 : 1) : 0;

    /// <summary>The unpacked septets of <paramref name="text"/>, one per octet.</summary>
    /// <exception cref="ArgumentException">A character is not in the GSM-7 alphabet.</exception>
    public static byte[] Encode(ReadOnlySpan<char> text)
    {
        var bytes = new List<byte>(text.Length);
        foreach (char c in text)
        {
            if (!Gsm7Alphabet.TryGetCode(c, out byte code, out bool escaped))
            {
                throw new ArgumentException($"U+{(int)c:X4} is not in the GSM 03.38 alphabet", nameof(text));
            }

            if (escaped)
            {
                bytes.Add(Gsm7Alphabet.Escape);
            }

            bytes.Add(code);
        }

        return [.. bytes];
    }

    /// <summary>Text of unpacked septets (one per octet); unknown codes become '?'. Used for MO messages in data_coding 0.</summary>
    public static string Decode(ReadOnlySpan<byte> septets)
    {
        var text = new System.Text.StringBuilder(septets.Length);
        for (int i = 0; i < septets.Length; i++)
        {
            bool escaped = septets[i] == Gsm7Alphabet.Escape && i + 1 < septets.Length;
            text.Append(Gsm7Alphabet.CharacterOf(escaped ? septets[++i] : septets[i], escaped) ?? '?');
        }

        return text.ToString();
    }
}
