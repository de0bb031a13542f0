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
