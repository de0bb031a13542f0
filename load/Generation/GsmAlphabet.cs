namespace SmsGateway.Load.Generation;

/// <summary>
/// The GSM 03.38 default alphabet and its extension table (3GPP TS 23.038 §6.2.1).
/// Extension characters are sent as ESC + code and cost two septets.
/// </summary>
public static class GsmAlphabet
{
    /// <summary>Characters of the default alphabet (ESC itself excluded), one septet each.</summary>
    public const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    /// <summary>Characters of the extension table, two septets each.</summary>
    public const string Extension = "\f^{}\\[~]|€";

    private static readonly HashSet<char> BasicSet = [.. Basic];
    private static readonly HashSet<char> ExtensionSet = [.. Extension];

    /// <summary>Septets needed for <paramref name="c"/>: 1, 2, or 0 when it is not representable in GSM-7.</summary>
    public static int Septets(char c) => BasicSet.Contains(c) ? 1 : ExtensionSet.Contains(c) ? 2 : 0;
}
