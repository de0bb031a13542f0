using System.Text;
using System.Text.Json;

namespace SmsGateway.Operators.Smpp;

/// <summary>Typed reads of one <c>connection</c> object that name the offending key (<c>operators[MCI].connection.port</c>).</summary>
/// <remarks>Not thread-safe: used once by <see cref="SmppConnectionOptions.Parse"/>.</remarks>
internal sealed class ConnectionJson
{
    private readonly string _operator;
    private readonly JsonElement _root;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal) { "type" };

    /// <exception cref="ArgumentException"><paramref name="root"/> is not an object or its type is not <c>smpp</c>.</exception>
    public ConnectionJson(string operatorName, JsonElement root)
    {
        _operator = operatorName;
        _root = root;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"operators[{operatorName}].connection: must be an object", nameof(root));
        }

        if (root.TryGetProperty("type", out var type) && !string.Equals(type.GetString(), "smpp", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{KeyPath("type")}: must be \"smpp\" for this factory", nameof(root));
        }
    }

    /// <summary>The full path of <paramref name="key"/> as error messages show it.</summary>
    public string KeyPath(string key) => $"operators[{_operator}].connection.{key}";

    public string? String(string key, bool required, int maxLength, bool ascii = false)
    {
        if (!TryGet(key, out var value))
        {
            return required ? throw Error(key, "is required") : null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(key, "must be a string");
        }

        var s = value.GetString()!;
        if (required && s.Length == 0)
        {
            throw Error(key, "must not be empty");
        }

        if (s.Length > maxLength)
        {
            throw Error(key, $"must be at most {maxLength} characters");
        }

        if (ascii && !Ascii.IsValid(s))
        {
            throw Error(key, "must be ASCII");
        }

        return s;
    }

    public int Int(string key, int? defaultValue, int min, int max)
    {
        if (!TryGet(key, out var value))
        {
            return defaultValue ?? throw Error(key, "is required");
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int n))
        {
            throw Error(key, "must be an integer");
        }

        return n < min || n > max ? throw Error(key, $"must be between {min} and {max}") : n;
    }

    public byte? OptionalByte(string key, int max) => TryGet(key, out _) ? (byte)Int(key, null, 0, max) : null;

    public bool Bool(string key, bool defaultValue)
    {
        if (!TryGet(key, out var value))
        {
            return defaultValue;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(key, "must be true or false"),
        };
    }

    public T Choice<T>(string key, T defaultValue, params (string Name, T Value)[] choices)
    {
        var name = String(key, required: false, maxLength: 32);
        if (name is null)
        {
            return defaultValue;
        }

        foreach (var (n, v) in choices)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        throw Error(key, "must be one of " + string.Join(", ", choices.Select(c => c.Name)));
    }

    public void RejectUnknownKeys()
    {
        foreach (var property in _root.EnumerateObject())
        {
            if (!_known.Contains(property.Name))
            {
                throw Error(property.Name, "is not a known key");
            }
        }
    }

    private bool TryGet(string key, out JsonElement value)
    {
        _known.Add(key);
        return _root.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private ArgumentException Error(string key, string problem) => new($"{KeyPath(key)}: {problem}", "connection");
}
