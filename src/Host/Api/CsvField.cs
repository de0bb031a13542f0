using System.Text;

namespace SmsGateway.Host.Api;

/// <summary>RFC 4180 fields: a field holding a comma, a double quote, CR or LF is enclosed in double quotes, with its quotes doubled.</summary>
internal static class CsvField
{
    /// <summary>Appends <paramref name="value"/> (null: an empty field) to <paramref name="line"/>, quoted when RFC 4180 section 2 requires it.</summary>
    public static void Append(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"');
        foreach (var c in value)
        {
            if (c == '"')
            {
                line.Append('"');
            }

            line.Append(c);
        }

        line.Append('"');
    }
}
