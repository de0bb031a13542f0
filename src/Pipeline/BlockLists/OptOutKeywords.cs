namespace SmsGateway.BlockLists;

/// <summary>
/// Recognises a subscriber's opt-out message: <c>STOP</c> (any case) or <c>لغو</c>, trimmed of white space and zero-width
/// characters, optionally followed by white space and digits (ASCII, Persian ۰-۹ or Arabic-Indic ٠-٩: Iranian
/// services ask for "لغو 1" to cancel service 1; the gateway treats every such message as an opt-out of the line).
/// Anything else, such as "stop it" or "لغو شد", is not an opt-out.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class OptOutKeywords
{
    /// <summary>The keywords, compared case-insensitively (invariant culture).</summary>
    public static readonly IReadOnlyList<string> Keywords = ["STOP", "لغو"];

    /// <summary>True when <paramref name="text"/> is an opt-out message.</summary>
    public static bool IsOptOut(string? text)
    {
        if (text is null)
        {
            return false;
        }

        var t = text.Trim().Trim('\u200C', '\u200B', '\u200D', '\u200E', '\u200F', '\uFEFF').Trim();
        foreach (var keyword in Keywords)
        {
            if (!t.StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var rest = t[keyword.Length..].TrimStart(' ', '\u00A0', '\u200C', '-');
            if (rest.All(c => c is >= '0' and <= '9' or >= '\u06F0' and <= '\u06F9' or >= '\u0660' and <= '\u0669'))
            {
                return true;
            }
        }

        return false;
    }
}
