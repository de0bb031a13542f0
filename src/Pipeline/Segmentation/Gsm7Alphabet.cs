namespace SmsGateway.Segmentation;

/// <summary>
/// The GSM 03.38 default alphabet and its extension table (3GPP TS 23.038 section 6.2.1 and 6.2.1.1).
/// </summary>
/// <remarks>Thread-safe: immutable lookup tables built once.</remarks>
public static class Gsm7Alphabet
{
    /// <summary>Characters of the default alphabet, in code order 0x00..0x7F (0x1B is the escape to the extension table).</summary>
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅå" +
        "Δ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ" +
        " !\"#¤%&'()*+,-./" +
        "0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNO" +
        "PQRSTUVWXYZÄÖÑÜ§" +
        "¿abcdefghijklmno" +
        "pqrstuvwxyzäöñüà";

    /// <summary>Characters reached through the escape 0x1B (each costs two septets).</summary>
    private const string Extension = "\f^{}\\[~]|€";

    /// <summary>Code of each <see cref="Extension"/> character after the escape, in the same order (TS 23.038 §6.2.1.1).</summary>
    private static readonly byte[] ExtensionCodes = [0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65];

    /// <summary>The escape to the extension table (TS 23.038 §6.2.1).</summary>
    public const byte Escape = 0x1B;

    // Septet cost per UTF-16 code unit below U+0400 plus a few higher ones (Greek capitals, €): 0 = not GSM-7.
    private static readonly byte[] LowCost = BuildLowCost();

    /// <summary>Septets <paramref name="c"/> takes in GSM-7: 1 (default alphabet), 2 (extension table) or 0 (not encodable).</summary>
    public static int SeptetCost(char c)
    {
        if (c < LowCost.Length)
        {
            return LowCost[c];
        }

        return c switch
        {
            '€' => 2,
            'Δ' or 'Φ' or 'Γ' or 'Λ' or 'Ω' or 'Π' or 'Ψ' or 'Σ' or 'Θ' or 'Ξ' => 1,
            _ => 0,
        };
    }

    /// <summary>The GSM 03.38 code of <paramref name="c"/>: in the default alphabet, or (<paramref name="escaped"/>) in the
    /// extension table, to be sent after <see cref="Escape"/>.</summary>
    /// <returns>False when <paramref name="c"/> is not GSM-7.</returns>
    public static bool TryGetCode(char c, out byte code, out bool escaped)
    {
        int i = c == '\u001B' ? -1 : Basic.IndexOf(c, StringComparison.Ordinal);
        escaped = i < 0;
        if (!escaped)
        {
            code = (byte)i;
            return true;
        }

        i = Extension.IndexOf(c, StringComparison.Ordinal);
        code = i < 0 ? (byte)0 : ExtensionCodes[i];
        return i >= 0;
    }

    /// <summary>The character of a GSM 03.38 code (after <see cref="Escape"/> when <paramref name="escaped"/>); null for an unassigned code.</summary>
    public static char? CharacterOf(byte code, bool escaped)
    {
        if (!escaped)
        {
            return code < Basic.Length && code != Escape ? Basic[code] : null;
        }

        int i = Array.IndexOf(ExtensionCodes, code);
        return i < 0 ? null : Extension[i];
    }

    /// <summary>True when every character of <paramref name="text"/> is in the default alphabet or the extension table.</summary>
    public static bool CanEncode(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (SeptetCost(c) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] BuildLowCost()
    {
        var cost = new byte[0x100];
        foreach (char c in Basic)
        {
            if (c != '\u001B' && c < cost.Length)
            {
                cost[c] = 1;
            }
        }

        foreach (char c in Extension)
        {
            if (c < cost.Length)
            {
                cost[c] = 2;
            }
        }

        return cost;
    }
}
