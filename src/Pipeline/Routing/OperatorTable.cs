using System.Text.Json;
using SmsGateway.Validation;

namespace SmsGateway.Routing;

/// <summary>
/// The routing table of <c>operator.json</c>: operators, their number prefixes, prices and limits, and per-number overrides
/// (mobile number portability: a prefix is a default, an override wins). Immutable; lookups are thread-safe and allocation-free.
/// </summary>
public sealed class OperatorTable
{
    // Key = prefix value * 16 + prefix length (digits after +98), so "912" and "0912"-style forms cannot collide.
    private readonly Dictionary<long, OperatorInfo> _byPrefix;
    private readonly Dictionary<string, OperatorInfo> _overrides;
    private readonly Dictionary<string, OperatorInfo> _byName;
    private readonly int _maxPrefixLength;

    private OperatorTable(IReadOnlyList<OperatorInfo> operators, Dictionary<long, OperatorInfo> byPrefix, Dictionary<string, OperatorInfo> overrides, int maxPrefixLength, string currency)
    {
        Operators = operators;
        _byPrefix = byPrefix;
        _overrides = overrides;
        _maxPrefixLength = maxPrefixLength;
        Currency = currency;
        _byName = operators.ToDictionary(o => o.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The operators in file order.</summary>
    public IReadOnlyList<OperatorInfo> Operators { get; }

    /// <summary>ISO 4217 code of the prices' currency (minor units are used throughout).</summary>
    public string Currency { get; }

    /// <summary>Finds the operator of an E.164 number by override, then by longest matching prefix.</summary>
    /// <param name="e164">A number from <see cref="MsisdnNormalizer"/> (<c>+989XXXXXXXXX</c>).</param>
    /// <returns>The operator, or null when no prefix matches ("no route").</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="e164"/> is shorter than 3 characters (not normalizer output).</exception>
    public OperatorInfo? Route(string e164)
    {
        if (_overrides.Count > 0 && _overrides.TryGetValue(e164, out var forced))
        {
            return forced;
        }

        ReadOnlySpan<char> national = e164.AsSpan(3);
        long value = 0;
        int limit = Math.Min(_maxPrefixLength, national.Length);
        Span<long> keys = stackalloc long[16];
        for (int len = 1; len <= limit; len++)
        {
            value = (value * 10) + (national[len - 1] - '0');
            keys[len - 1] = (value * 16) + len;
        }

        for (int len = limit; len >= 1; len--)
        {
            if (_byPrefix.TryGetValue(keys[len - 1], out var op))
            {
                return op;
            }
        }

        return null;
    }

    /// <summary>The operator named <paramref name="name"/> (case-insensitive), or null.</summary>
    public OperatorInfo? FindByName(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Parses and validates an <c>operator.json</c> document.</summary>
    /// <param name="json">UTF-8 JSON text (see the repository's <c>operator.json</c> for the shape).</param>
    /// <exception cref="OperatorTableException">The document is malformed or inconsistent; the message says where.</exception>
    public static OperatorTable Parse(string json)
    {
        OperatorFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, OperatorFileJsonContext.Default.OperatorFile);
        }
        catch (JsonException ex)
        {
            throw new OperatorTableException($"operator.json is not valid JSON: {ex.Message}", ex);
        }

        if (file?.Operators is null || file.Operators.Count == 0)
        {
            throw new OperatorTableException("operator.json: 'operators' must list at least one operator");
        }

        var operators = new List<OperatorInfo>();
        var byPrefix = new Dictionary<long, OperatorInfo>();
        int maxLen = 0;
        foreach (var (entry, index) in file.Operators.Select((o, i) => (o, i)))
        {
            string where = $"operator.json: operators[{index}]";
            if (string.IsNullOrWhiteSpace(entry.Name))
            {
                throw new OperatorTableException($"{where}.name is required");
            }

            if (operators.Any(o => string.Equals(o.Name, entry.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new OperatorTableException($"{where}.name '{entry.Name}' is used twice");
            }

            if (entry.PricePerSegment is not > 0)
            {
                throw new OperatorTableException($"{where}.price_per_segment must be a positive integer (minor units)");
            }

            if (entry.MaxConcurrency is not > 0)
            {
                throw new OperatorTableException($"{where}.max_concurrency must be positive");
            }

            if (entry.RateLimitPerSecond is < 0)
            {
                throw new OperatorTableException($"{where}.rate_limit_per_second must be 0 (unlimited) or positive");
            }

            if (entry.SendTimeoutMs is not > 0)
            {
                throw new OperatorTableException($"{where}.send_timeout_ms must be positive");
            }

            if (entry.Prefixes is null || entry.Prefixes.Count == 0)
            {
                throw new OperatorTableException($"{where}.prefixes must list at least one prefix");
            }

            var info = new OperatorInfo(entry.Name, entry.DisplayName ?? entry.Name, entry.Prefixes, entry.PricePerSegment.Value,
                entry.MaxConcurrency.Value, entry.RateLimitPerSecond ?? 0, TimeSpan.FromMilliseconds(entry.SendTimeoutMs.Value))
            {
                Connection = OperatorConnection.Parse(entry.Connection, $"operators[{entry.Name}]"),
            };
            foreach (var raw in entry.Prefixes)
            {
                string digits = NationalPrefix(raw) ?? throw new OperatorTableException($"{where}.prefixes: '{raw}' is not a prefix of Iranian mobile numbers (like 0912 or +98912)");
                long key = (long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) * 16) + digits.Length;
                if (byPrefix.TryGetValue(key, out var other))
                {
                    throw new OperatorTableException($"{where}.prefixes: '{raw}' is already routed to {other.Name}");
                }

                byPrefix[key] = info;
                maxLen = Math.Max(maxLen, digits.Length);
            }

            operators.Add(info);
        }

        var overrides = new Dictionary<string, OperatorInfo>(StringComparer.Ordinal);
        foreach (var (number, name) in file.Overrides ?? [])
        {
            if (!MsisdnNormalizer.TryNormalize(number, out var e164, out var error))
            {
                throw new OperatorTableException($"operator.json: overrides '{number}': {error}");
            }

            overrides[e164] = operators.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new OperatorTableException($"operator.json: overrides '{number}' names unknown operator '{name}'");
        }

        return new OperatorTable(operators, byPrefix, overrides, maxLen, file.Currency ?? "IRR");
    }

    /// <summary>The table shipped with the library (the repository's <c>operator.json</c>: MCI, MTN Irancell, Rightel).</summary>
    public static OperatorTable Default { get; } = LoadDefault();

    /// <summary>Reads and parses a file.</summary>
    /// <exception cref="OperatorTableException">Missing, unreadable or invalid.</exception>
    public static OperatorTable Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (IOException ex)
        {
            throw new OperatorTableException($"cannot read {path}: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new OperatorTableException($"cannot read {path}: {ex.Message}", ex);
        }
    }

    private static OperatorTable LoadDefault()
    {
        using var stream = typeof(OperatorTable).Assembly.GetManifestResourceStream("SmsGateway.operator.json")
            ?? throw new OperatorTableException("the built-in operator.json resource is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    // "0912" / "98912" / "+98912" / "912" -> "912" (digits after the country code); null if not a mobile prefix.
    private static string? NationalPrefix(string raw)
    {
        var s = raw.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        if (s.StartsWith("+98", StringComparison.Ordinal))
        {
            s = s[3..];
        }
        else if (s.StartsWith("0098", StringComparison.Ordinal))
        {
            s = s[4..];
        }
        else if (s.StartsWith('0'))
        {
            s = s[1..];
        }
        else if (s.StartsWith("98", StringComparison.Ordinal) && s.Length > 3)
        {
            s = s[2..];
        }

        return s.Length is >= 1 and <= 10 && s[0] == '9' && s.All(char.IsAsciiDigit) ? s : null;
    }
}
