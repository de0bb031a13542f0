namespace SmsGateway.Load.Api;

/// <summary>An RFC 9457 problem details body (https://www.rfc-editor.org/rfc/rfc9457) with the validation <see cref="Errors"/> extension.</summary>
public sealed record Problem
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public int? Status { get; init; }
    public string? Detail { get; init; }
    public Dictionary<string, string[]>? Errors { get; init; }

    /// <summary>True when the problem names <paramref name="field"/> in its errors (case-insensitive, also matching camelCase/PascalCase spellings).</summary>
    public bool NamesField(string field)
    {
        if (Errors is null) return false;
        var plain = field.Replace("_", "", StringComparison.Ordinal);
        foreach (var key in Errors.Keys)
        {
            var k = key.TrimStart('$', '.').Replace("_", "", StringComparison.Ordinal);
            if (k.Equals(plain, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>A short one-line reason: title, then the first error message.</summary>
    public string Reason()
    {
        var first = Errors?.Values.SelectMany(v => v).FirstOrDefault();
        return first is null ? Title ?? "?" : $"{Title}: {first}";
    }
}
