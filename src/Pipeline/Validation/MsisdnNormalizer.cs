namespace SmsGateway.Validation;

/// <summary>
/// Normalises Iranian mobile numbers to E.164 (<c>+989XXXXXXXXX</c>, ITU-T E.164 / Iran's numbering plan: country code 98,
/// mobile numbers are 10 national significant digits starting with 9).
/// </summary>
/// <remarks>
/// Accepted forms: <c>+989…</c>, <c>00989…</c>, <c>989…</c>, <c>09…</c> (11 digits), <c>9…</c> (10 digits); digits may be
/// ASCII, Persian (U+06F0–U+06F9) or Arabic-Indic (U+0660–U+0669); spaces, dashes and dots between digits are ignored.
/// Stateless and thread-safe; allocates only the result string, and nothing when the input is already in E.164 form (the
/// input itself is the result then, so a number normalised once at the HTTP edge is not copied again by the validator).
/// </remarks>
public static class MsisdnNormalizer
{
    private const int NationalLength = 10;

    /// <summary>Tries to normalise <paramref name="input"/>.</summary>
    /// <param name="input">The number as the client wrote it.</param>
    /// <param name="e164">The normalised number, <c>+98</c> followed by 10 digits starting with 9; <paramref name="input"/>
    /// itself when it is that already.</param>
    /// <param name="error">Why the number was refused (for a 400 answer); null on success.</param>
    /// <returns>True when the number is an Iranian mobile number.</returns>
    public static bool TryNormalize(string? input, out string e164, out string? error)
    {
        e164 = string.Empty;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "phone is required";
            return false;
        }

        if (input.Length > 32)
        {
            error = "phone is too long";
            return false;
        }

        Span<char> digits = stackalloc char[32];
        int n = 0;
        bool plus = false;
        foreach (char c in input)
        {
            int d = DigitValue(c);
            if (d >= 0)
            {
                digits[n++] = (char)('0' + d);
            }
            else if (c == '+' && n == 0 && !plus)
            {
                plus = true;
            }
            else if (c is ' ' or '-' or '.' or '\u00A0' or '\u200C' or '\u200E' or '\u200F' or '(' or ')')
            {
                // separators a person types or a phone book copies; ignored
            }
            else
            {
                error = $"phone contains an invalid character '{c}'";
                return false;
            }
        }

        ReadOnlySpan<char> all = digits[..n];
        int skip;
        if (plus)
        {
            if (!all.StartsWith("98"))
            {
                error = "phone is not an Iranian number (+98)";
                return false;
            }

            skip = 2;
        }
        else if (all.StartsWith("0098"))
        {
            skip = 4;
        }
        else if (all.StartsWith("98") && all.Length == 12)
        {
            skip = 2;
        }
        else if (all.StartsWith("0") && all.Length == 11)
        {
            skip = 1;
        }
        else if (all.Length == NationalLength && all[0] == '9')
        {
            skip = 0;
        }
        else
        {
            error = "phone must be an Iranian mobile number such as 09121234567 or +989121234567";
            return false;
        }

        ReadOnlySpan<char> national = all[skip..];
        if (national.Length != NationalLength)
        {
            error = $"phone must have {NationalLength} digits after the country code";
            return false;
        }

        if (national[0] != '9')
        {
            error = "phone is not a mobile number (must start with 9 after the country code)";
            return false;
        }

        error = null;
        e164 = input.Length == 13 && input.StartsWith("+98", StringComparison.Ordinal) && input.AsSpan(3).SequenceEqual(national)
            ? input
            : string.Concat("+98", national);
        return true;
    }

    /// <summary>Value of an ASCII, Persian or Arabic-Indic digit; -1 for anything else.</summary>
    internal static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= '\u06F0' and <= '\u06F9' => c - '\u06F0',
        >= '\u0660' and <= '\u0669' => c - '\u0660',
        _ => -1,
    };
}
