using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace SmsGateway.Host.Api;

/// <summary>Reads JSON request bodies field by field, so every problem names the field it is about.</summary>
internal static class RequestBody
{
    /// <summary>Largest accepted body, bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Reads the whole body; null with an error when it is too large or empty.</summary>
    public static Task<(byte[]? Body, string? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadAsync(request, MaxBytes, cancellationToken);

    /// <summary>Reads the whole body, at most <paramref name="maxBytes"/>; null with an error when it is too large or empty.</summary>
    public static async Task<(byte[]? Body, string? Error)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, $"the body must be at most {maxBytes} bytes");
        }

        // Every /send passes here: with a Content-Length (what clients send), read straight into one array of that size.
        if (request.ContentLength is long length && length > 0)
        {
            var exact = new byte[length];
            var filled = 0;
            int got;
            while (filled < exact.Length && (got = await request.Body.ReadAsync(exact.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += got;
            }

            // The server ends the body at Content-Length (Kestrel fails a shorter one with BadHttpRequestException).
            return filled == exact.Length ? (exact, null) : filled == 0 ? (null, "a JSON body is required") : (exact[..filled], null);
        }

        // Otherwise (chunked) grow a stream, reading through a rented buffer instead of allocating 8 KB.
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return (null, $"the body must be at most {maxBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.Length == 0 ? (null, "a JSON body is required") : (buffer.ToArray(), null);
    }

    /// <summary>
    /// Records a problem for each property of <paramref name="root"/> that is not in <paramref name="known"/> (named after
    /// the property, at most 64 characters of it) or that appears twice (a repeated key must not silently decide, say, whose
    /// balance pays). Every <c>/send</c> passes here: the fields seen are a bit mask, not a set.
    /// </summary>
    /// <returns>
    /// False when a property name is not valid text (an unpaired surrogate escape such as <c>"\udc00"</c>); the problem is
    /// recorded under <c>body</c>. The caller must then not look fields up by name: <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>
    /// throws on such a name.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="known"/> has more than 64 names.</exception>
    public static bool CheckFields(JsonElement root, IReadOnlyList<string> known, Dictionary<string, string[]> errors)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(known.Count, 64, nameof(known));
        bool readable = true;
        ulong seen = 0;
        foreach (var property in root.EnumerateObject())
        {
            // Known names are matched on the UTF-8 bytes (no string per property); only an unknown one is made a string.
            // Both steps unescape the name, which throws for one that is not valid text (a lone surrogate escape).
            int index;
            string name;
            try
            {
                index = IndexOf(known, property);
                name = index < 0 ? property.Name : known[index];
            }
            catch (InvalidOperationException)
            {
                errors["body"] = [UnreadableName];
                readable = false;
                continue;
            }

            if (index >= 0)
            {
                if ((seen & (1UL << index)) != 0)
                {
                    errors[name] = [$"{name} appears more than once"];
                }

                seen |= 1UL << index;
                continue;
            }

            var field = name.Length <= 64 && !HasControl(name, allowLineBreaks: false) ? name : "body";
            errors[field] = [$"unknown field '{Printable(name)}'; the known fields are {string.Join(", ", known)}"];
        }

        return readable;
    }

    /// <summary>The <c>body</c> problem of a property name that is not valid text.</summary>
    public const string UnreadableName = "a property name is not valid UTF-8 or UTF-16 text";

    /// <summary>
    /// True when every property name of <paramref name="root"/> is valid text, for bodies read without
    /// <see cref="CheckFields"/> (an unpaired surrogate escape in a name makes <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> throw).
    /// </summary>
    public static bool NamesAreText(JsonElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            try
            {
                _ = property.Name;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A string field; with <paramref name="allowInteger"/>, an integer is accepted as its text (the seed sends
    /// <c>user_id</c> as a number). Records a problem in <paramref name="errors"/> when present with another type, when it
    /// is not valid Unicode (invalid UTF-8, an unpaired surrogate), or when it holds a control character (with
    /// <paramref name="allowLineBreaks"/>, line feed and carriage return of the GSM 03.38 alphabet are allowed). Null when absent.
    /// </summary>
    public static string? GetText(JsonElement root, string field, Dictionary<string, string[]> errors, bool allowInteger = false, bool allowLineBreaks = false)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                string text;
                try
                {
                    text = value.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    return Invalid(field, "must be valid UTF-8 text without unpaired surrogates", errors);
                }

                return HasControl(text, allowLineBreaks)
                    ? Invalid(field, allowLineBreaks
                        ? "must not contain control characters (line feed and carriage return are allowed)"
                        : "must not contain control characters", errors)
                    : text;
            case JsonValueKind.Number when allowInteger:
                var raw = value.GetRawText();
                return raw.Contains('.', StringComparison.Ordinal) || raw.Contains('e', StringComparison.OrdinalIgnoreCase)
                    ? Invalid(field, "must be a string or an integer", errors)
                    : raw;
            default:
                return Invalid(field, $"must be a string, not {value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)}", errors);
        }
    }

    /// <summary>
    /// An integer field (a JSON number without fraction or exponent, within <see cref="long"/>). Records a problem in
    /// <paramref name="errors"/> when present with another type. Null when absent.
    /// </summary>
    public static long? GetInteger(JsonElement root, string field, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            var raw = value.GetRawText();
            if (!raw.Contains('.', StringComparison.Ordinal) && !raw.Contains('e', StringComparison.OrdinalIgnoreCase))
            {
                return number;
            }
        }

        errors[field] = [$"{field} must be an integer"];
        return null;
    }

    private static int IndexOf(IReadOnlyList<string> known, JsonProperty property)
    {
        for (var i = 0; i < known.Count; i++)
        {
            if (property.NameEquals(known[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool HasControl(string text, bool allowLineBreaks)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r'))
            {
                return true;
            }
        }

        return false;
    }

    private static string Printable(string name)
    {
        var shown = name.Length > 64 ? name[..32] + "…" : name;
        return HasControl(shown, false) ? string.Concat(shown.Select(c => char.IsControl(c) ? '?' : c)) : shown;
    }

    private static string? Invalid(string field, string message, Dictionary<string, string[]> errors)
    {
        errors[field] = [$"{field} {message}"];
        return null;
    }
}
