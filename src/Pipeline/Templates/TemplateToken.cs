namespace SmsGateway.Templates;

/// <summary>A typed placeholder of a <see cref="MessageTemplate"/>.</summary>
/// <param name="Type">What the value may hold.</param>
/// <param name="MaxLength">Longest value, UTF-16 code units (1..<see cref="MaxAllowedLength"/>).</param>
public sealed record TemplateToken(TokenType Type, int MaxLength)
{
    /// <summary>Longest <see cref="MaxLength"/> any token may declare.</summary>
    public const int MaxAllowedLength = 100;

    /// <summary>The length a token declared by its type alone gets: digits 10, alphanumeric 20, text 30.</summary>
    public static int DefaultMaxLength(TokenType type) => type switch
    {
        TokenType.Digits => 10,
        TokenType.Alphanumeric => 20,
        _ => 30,
    };

    /// <summary>The wire name of <paramref name="type"/>: <c>digits</c>, <c>alphanumeric</c>, <c>text</c>.</summary>
    public static string WireName(TokenType type) => type switch
    {
        TokenType.Digits => "digits",
        TokenType.Alphanumeric => "alphanumeric",
        _ => "text",
    };

    /// <summary>Parses a wire name (case-insensitive); false when unknown.</summary>
    public static bool TryParseType(string? name, out TokenType type)
    {
        switch (name?.ToLowerInvariant())
        {
            case "digits":
                type = TokenType.Digits;
                return true;
            case "alphanumeric":
                type = TokenType.Alphanumeric;
                return true;
            case "text":
                type = TokenType.Text;
                return true;
            default:
                type = default;
                return false;
        }
    }

    /// <summary>
    /// Checks <paramref name="value"/> against the type and length; returns the value to insert (Persian and Arabic-Indic
    /// digits of a digits token become ASCII) or null with <paramref name="error"/>.
    /// </summary>
    public string? Check(string? value, out string? error)
    {
        if (string.IsNullOrEmpty(value))
        {
            error = "is required and must not be empty";
            return null;
        }

        if (value.Length > MaxLength)
        {
            error = $"must be at most {MaxLength} characters";
            return null;
        }

        switch (Type)
        {
            case TokenType.Digits:
                var digits = new char[value.Length];
                for (var i = 0; i < value.Length; i++)
                {
                    var c = value[i];
                    digits[i] = c switch
                    {
                        >= '0' and <= '9' => c,
                        >= '\u06F0' and <= '\u06F9' => (char)('0' + (c - '\u06F0')),
                        >= '\u0660' and <= '\u0669' => (char)('0' + (c - '\u0660')),
                        _ => '\0',
                    };
                    if (digits[i] == '\0')
                    {
                        error = "must be digits only";
                        return null;
                    }
                }

                error = null;
                return new string(digits);
            case TokenType.Alphanumeric:
                foreach (var c in value)
                {
                    if (!char.IsAsciiLetterOrDigit(c))
                    {
                        error = "must be ASCII letters and digits only";
                        return null;
                    }
                }

                error = null;
                return value;
            default:
                foreach (var c in value)
                {
                    if (char.IsControl(c))
                    {
                        error = "must not contain control characters";
                        return null;
                    }
                }

                if (!IsWellFormed(value))
                {
                    error = "must be valid Unicode text without unpaired surrogates";
                    return null;
                }

                error = null;
                return value;
        }
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
