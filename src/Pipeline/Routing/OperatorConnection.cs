using System.Text.Json;

namespace SmsGateway.Routing;

/// <summary>
/// How the gateway reaches one operator: the <c>connection</c> object of its <c>operator.json</c> entry. Its <see cref="Type"/>
/// picks the client (<c>simulator</c>, or a registered <c>IOperatorConnectionFactory</c> such as <c>smpp</c>); the whole
/// object is kept for that factory.
/// </summary>
/// <param name="Type">Lower-case <c>connection.type</c>; <c>simulator</c> when the entry has no <c>connection</c>.</param>
/// <param name="Settings">The <c>connection</c> object as written (a detached clone, safe to keep).</param>
/// <param name="SourceAddr">The operator's default sender (<c>connection.source_addr</c>: a line number or an alphanumeric name), or null.</param>
public sealed record OperatorConnection(string Type, JsonElement Settings, string? SourceAddr)
{
    /// <summary>The type of the built-in operator simulator.</summary>
    public const string SimulatorType = "simulator";

    private readonly string _text = Settings.GetRawText();

    /// <summary>The default connection: <c>{"type":"simulator"}</c>.</summary>
    public static OperatorConnection Simulator { get; } = new(SimulatorType, JsonDocument.Parse("""{"type":"simulator"}""").RootElement.Clone(), null);

    /// <summary>Equal when the type and the JSON text are the same (a reload re-creates a client only when this changes).</summary>
    public bool Equals(OperatorConnection? other) => other is not null && Type == other.Type && _text == other._text;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, _text);

    /// <summary>Reads an entry's <c>connection</c>; <paramref name="where"/> prefixes error messages (<c>operators[MCI]</c>).</summary>
    /// <exception cref="OperatorTableException"><c>connection</c> is not an object, or its <c>type</c> or <c>source_addr</c> is not a string.</exception>
    internal static OperatorConnection Parse(JsonElement? connection, string where)
    {
        if (connection is not { } c || c.ValueKind == JsonValueKind.Null)
        {
            return Simulator;
        }

        if (c.ValueKind != JsonValueKind.Object)
        {
            throw new OperatorTableException($"operator.json: {where}.connection must be an object like {{\"type\":\"simulator\"}}");
        }

        if (!c.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(type.GetString()))
        {
            throw new OperatorTableException($"operator.json: {where}.connection.type is required (a string such as \"simulator\" or \"smpp\")");
        }

        string? source = null;
        if (c.TryGetProperty("source_addr", out var s))
        {
            source = s.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(s.GetString())
                ? s.GetString()
                : throw new OperatorTableException($"operator.json: {where}.connection.source_addr must be a non-empty string");
        }

        return new OperatorConnection(type.GetString()!.Trim().ToLowerInvariant(), c.Clone(), source);
    }
}
