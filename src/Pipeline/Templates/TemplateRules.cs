using System.Text;
using SmsGateway.Model;
using SmsGateway.Segmentation;

namespace SmsGateway.Templates;

/// <summary>
/// Checks template texts when they are saved and renders them for <c>POST /verify</c>. A placeholder is <c>{name}</c>
/// with a name of 1-32 ASCII letters, digits or '_' (not starting with a digit); any other '{' or '}' is refused. The
/// worst case of a template (every token at its longest, a text token made of UCS-2 characters) must fit in
/// <see cref="MaxSegments"/> segments (DESIGN.md "Encoding and segments").
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class TemplateRules
{
    /// <summary>Most segments a template may need at its longest: the price of one <c>/verify</c> is bounded by it.</summary>
    public const int MaxSegments = 3;

    /// <summary>Longest template text, UTF-16 code units.</summary>
    public const int MaxTextLength = 500;

    /// <summary>Most tokens per template.</summary>
    public const int MaxTokens = 10;

    /// <summary>The placeholder-name rule as problem details state it.</summary>
    public const string TokenNameRule = "1-32 ASCII letters, digits or '_', not starting with a digit";

    /// <summary>
    /// Checks <paramref name="text"/> against <paramref name="tokens"/>. Errors are keyed by field: <c>text</c> or
    /// <c>tokens.&lt;name&gt;</c>. On success returns the worst-case segment count and encoding.
    /// </summary>
    public static Dictionary<string, string[]> Check(string? text, IReadOnlyDictionary<string, TemplateToken> tokens, out SegmentInfo worstCase)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        worstCase = default;
        if (string.IsNullOrEmpty(text))
        {
            errors["text"] = ["text is required and must not be empty"];
            return errors;
        }

        if (text.Length > MaxTextLength)
        {
            errors["text"] = [$"text must be at most {MaxTextLength} characters"];
            return errors;
        }

        if (tokens.Count > MaxTokens)
        {
            errors["tokens"] = [$"at most {MaxTokens} tokens"];
        }

        foreach (var name in tokens.Keys)
        {
            if (!IsTokenName(name))
            {
                errors["tokens." + Shown(name)] = [$"a token name must be {TokenNameRule}"];
            }
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        var textError = Walk(text, name =>
        {
            used.Add(name);
            return tokens.ContainsKey(name) ? null : $"text uses {{{name}}}, which is not declared in tokens";
        });
        if (textError is not null)
        {
            errors["text"] = [textError];
        }

        foreach (var name in tokens.Keys.Where(n => !used.Contains(n) && IsTokenName(n)))
        {
            errors["tokens." + name] = [$"token '{name}' is declared but text has no {{{name}}}"];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        worstCase = SegmentCalculator.Analyze(Render(text, tokens.ToDictionary(t => t.Key, t => Longest(t.Value))));
        if (worstCase.Segments > MaxSegments)
        {
            errors["text"] = [$"with every token at its longest the text needs {worstCase.Segments} {worstCase.Encoding.ToWireName()} segments; at most {MaxSegments} are allowed"];
        }

        return errors;
    }

    /// <summary>
    /// Fills the placeholders of <paramref name="template"/> from <paramref name="values"/> (raw client values). Errors are
    /// keyed <c>tokens</c> (not an object) or <c>tokens.&lt;name&gt;</c> (missing, unknown, wrong type or too long).
    /// </summary>
    /// <returns>The text to send; null when there are errors.</returns>
    public static string? Fill(MessageTemplate template, IReadOnlyDictionary<string, string?> values, Dictionary<string, string[]> errors)
    {
        var accepted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, token) in template.Tokens)
        {
            values.TryGetValue(name, out var raw);
            var value = token.Check(raw, out var error);
            if (value is null)
            {
                errors["tokens." + name] = [$"tokens.{name} ({TemplateToken.WireName(token.Type)}) {error}"];
            }
            else
            {
                accepted[name] = value;
            }
        }

        foreach (var name in values.Keys.Where(n => !template.Tokens.ContainsKey(n)))
        {
            errors["tokens." + Shown(name)] = [$"template '{template.Name}' has no token '{Shown(name)}'; its tokens are {string.Join(", ", template.Tokens.Keys)}"];
        }

        return errors.Count > 0 ? null : Render(template.Text, accepted);
    }

    /// <summary>True when <paramref name="name"/> follows <see cref="TokenNameRule"/>.</summary>
    public static bool IsTokenName(string name) =>
        name.Length is >= 1 and <= 32 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Render(string text, IReadOnlyDictionary<string, string> values)
    {
        var sb = new StringBuilder(text.Length + 32);
        var last = 0;
        Walk(text, name => null, (start, end, name) =>
        {
            sb.Append(text, last, start - last).Append(values[name]);
            last = end;
        });
        return sb.Append(text, last, text.Length - last).ToString();
    }

    // Calls check for each placeholder (and onPlaceholder with its [start, end) span); returns the first problem.
    private static string? Walk(string text, Func<string, string?> check, Action<int, int, string>? onPlaceholder = null)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '}')
            {
                return $"text has a '}}' outside a placeholder at character {i + 1}";
            }

            if (text[i] != '{')
            {
                continue;
            }

            var close = text.IndexOf('}', i + 1);
            var name = close < 0 ? null : text[(i + 1)..close];
            if (name is null || !IsTokenName(name))
            {
                return $"text has a '{{' at character {i + 1} that does not start a placeholder {{name}} ({TokenNameRule})";
            }

            if (check(name) is { } problem)
            {
                return problem;
            }

            onPlaceholder?.Invoke(i, close + 1, name);
            i = close;
        }

        return null;
    }

    private static string Longest(TemplateToken token) => token.Type switch
    {
        TokenType.Digits => new string('0', token.MaxLength),
        TokenType.Alphanumeric => new string('A', token.MaxLength),
        _ => new string('\u0627', token.MaxLength), // ALEF: outside GSM 03.38, so the worst case is UCS-2
    };

    private static string Shown(string name) => name.Length <= 64 && !name.Any(char.IsControl) ? name : "body";
}
