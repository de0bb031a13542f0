namespace SmsGateway.Tests.FullStack;

/// <summary>
/// A span as OpenTelemetry's console exporter prints it (<c>Activity.TraceId:</c>, <c>Activity.SpanId:</c>,
/// <c>Activity.ParentSpanId:</c>, <c>Activity.DisplayName:</c>, <c>Activity.Kind:</c>, then indented tags), read back from a
/// process's output.
/// </summary>
public sealed record ConsoleSpan(string Process, string TraceId, string SpanId, string? ParentSpanId, string Name, string Kind, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Every span printed in <paramref name="output"/>, tagged with <paramref name="process"/>.</summary>
    public static List<ConsoleSpan> Parse(string process, string output)
    {
        var spans = new List<ConsoleSpan>();
        Dictionary<string, string>? fields = null;
        Dictionary<string, string>? tags = null;
        bool inTags = false;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("Activity.TraceId:", StringComparison.Ordinal))
            {
                Flush();
                fields = new Dictionary<string, string>(StringComparer.Ordinal);
                tags = new Dictionary<string, string>(StringComparer.Ordinal);
                inTags = false;
            }

            if (fields is null)
            {
                continue;
            }

            if (line.StartsWith("Activity.", StringComparison.Ordinal))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var key = line[..colon];
                inTags = key == "Activity.Tags";
                fields[key] = line[(colon + 1)..].Trim();
            }
            else if (inTags && line.StartsWith("    ", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var c and > 0)
            {
                tags![line[..c].Trim()] = line[(c + 1)..].Trim();
            }
            else
            {
                inTags = false;
            }
        }

        Flush();
        return spans;

        void Flush()
        {
            if (fields is not null && fields.TryGetValue("Activity.TraceId", out var trace) && fields.TryGetValue("Activity.SpanId", out var span))
            {
                spans.Add(new ConsoleSpan(process, trace, span, fields.GetValueOrDefault("Activity.ParentSpanId"),
                    fields.GetValueOrDefault("Activity.DisplayName", "?"), fields.GetValueOrDefault("Activity.Kind", "?"), tags!));
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Process,-10} {Name,-22} {Kind,-9} trace {TraceId} span {SpanId} parent {ParentSpanId ?? "-"}";
}
