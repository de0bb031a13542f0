using System.Globalization;
using System.Text.RegularExpressions;

namespace SmsGateway.Validation;

/// <summary>
/// Parses RFC 3339 section 5.6 <c>date-time</c>: <c>YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)</c>, the offset
/// required (a time without one is ambiguous), <c>T</c>/<c>Z</c> in either case (https://www.rfc-editor.org/rfc/rfc3339#section-5.6).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class Rfc3339
{
    /// <summary>The rule as problem details state it.</summary>
    public const string Rule = "an RFC 3339 date-time with an offset, e.g. 2026-12-01T10:00:00Z or 2026-12-01T13:30:00+03:30";

    /// <summary>True when <paramref name="value"/> is an RFC 3339 date-time with an offset that exists on the calendar.</summary>
    public static bool TryParse(string? value, out DateTimeOffset time)
    {
        time = default;
        if (value is null || value.Length > 40 || !Pattern().IsMatch(value))
        {
            return false;
        }

        var normalised = value.ToUpperInvariant();
        return DateTimeOffset.TryParse(normalised, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
