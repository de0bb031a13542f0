using SmsGateway.Segmentation;

namespace SmsGateway.Operators.Smpp.Submit;

/// <summary>
/// Code values of the GSM 03.38 default alphabet and extension table (3GPP TS 23.038 §6.2.1, §6.2.1.1), for data_coding 0.
/// <see cref="Gsm7Alphabet"/> decides what is GSM-7 and what a character costs but exposes no code values, so the table is
/// here; a unit test checks that both agree on every UTF-16 unit.
/// </summary>
/// <remarks>
/// data_coding 0 is "SMSC default alphabet" (SMPP v3.4 Issue 1.2, §5.2.19). Septets go unpacked, one per octet (the
/// SMSC packs them for the air interface), as Kannel and Jasmin send them; an extension character is the escape 0x1B
/// followed by its code. Thread-safe: immutable tables.
/// </remarks>
internal static class Gsm7Septets
{
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅå" +
        "Δ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ" +
        " !\"#¤%&'()*+,-./" +
        "0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNO" +
        "PQRSTUVWXYZÄÖÑÜ§" +
        "¿abcdefghijklmno" +
        "pqrstuvwxyzäöñüà";

    private static readonly Dictionary<char, byte> BasicCodes = Basic.Select((c, i) => (c, i)).Where(p => p.c != '\u001B').ToDictionary(p => p.c, p => (byte)p.i);

    private static readonly Dictionary<char, byte> ExtensionCodes = new()
    {
        ['\f'] = 0x0A, ['^'] = 0x14, ['{'] = 0x28, ['}'] = 0x29, ['\\'] = 0x2F,
        ['['] = 0x3C, ['~'] = 0x3D, [']'] = 0x3E, ['|'] = 0x40, ['€'] = 0x65,
    };

    /// <summary>Septets of <paramref name="c"/>: one code, an escape and a code, or none (not GSM-7).</summary>
    public static int Count(char c) => BasicCodes.ContainsKey(c) ? 1 : ExtensionCodes.ContainsKey(c) ? 2 : 0;

    /// <summary>The unpacked septets of <paramref name="text"/>, one per octet.</summary>
    /// <exception cref="ArgumentException">A character is not in the GSM-7 alphabet.</exception>
    public static byte[] Encode(ReadOnlySpan<char> text)
    {
        var bytes = new List<byte>(text.Length);
        foreach (char c in text)
        {
            if (BasicCodes.TryGetValue(c, out byte code))
            {
                bytes.Add(code);
            }
            else if (ExtensionCodes.TryGetValue(c, out code))
            {
                bytes.Add(0x1B);
                bytes.Add(code);
            }
            else
            {
                throw new ArgumentException($"U+{(int)c:X4} is not in the GSM 03.38 alphabet", nameof(text));
            }
        }

        return [.. bytes];
    }

    /// <summary>Text of unpacked septets (one per octet); unknown codes become '?'. Used for MO messages in data_coding 0.</summary>
    public static string Decode(ReadOnlySpan<byte> septets)
    {
        var text = new System.Text.StringBuilder(septets.Length);
        for (int i = 0; i < septets.Length; i++)
        {
            byte b = septets[i];
            if (b == 0x1B && i + 1 < septets.Length)
            {
                byte code = septets[++i];
                text.Append(ExtensionCodes.FirstOrDefault(p => p.Value == code).Key is var c and not '\0' ? c : '?');
            }
            else
            {
                text.Append(b < Basic.Length && b != 0x1B ? Basic[b] : '?');
            }
        }

        return text.ToString();
    }
}
