namespace SmsGateway.Model;

/// <summary>Data coding of a short message (3GPP TS 23.038 section 4).</summary>
public enum SmsEncoding
{
    /// <summary>GSM 03.38 default alphabet, 7 bits per character (septet); extension-table characters take two septets.</summary>
    Gsm7 = 0,

    /// <summary>UCS-2 / UTF-16 code units, 16 bits each; characters outside the BMP take two units.</summary>
    Ucs2 = 1,
}

/// <summary>Wire names of <see cref="SmsEncoding"/> as the API shows them.</summary>
public static class SmsEncodingNames
{
    /// <summary>Returns <c>"GSM-7"</c> or <c>"UCS-2"</c>.</summary>
    public static string ToWireName(this SmsEncoding encoding) => encoding == SmsEncoding.Gsm7 ? "GSM-7" : "UCS-2";
}
