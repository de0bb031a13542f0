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
    public static async Task<(byte[]? Body, string? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, $"the body must be at most {MaxBytes} bytes");
        }

        // Every /send passes here: size the stream from Content-Length and rent the read buffer instead of allocating 8 KB.
        using var buffer = new MemoryStream(request.ContentLength is > 0 and <= MaxBytes ? (int)request.ContentLength.Value : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    return (null, $"the body must be at most {MaxBytes} bytes");
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
    /// A string field; with <paramref name="allowInteger"/>, an integer is accepted as its text (the seed sends
    /// <c>user_id</c> as a number). Records a problem in <paramref name="errors"/> when present with another type.
    /// Null when absent.
    /// </summary>
    public static string? GetText(JsonElement root, string field, Dictionary<string, string[]> errors, bool allowInteger = false)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number when allowInteger:
                var raw = value.GetRawText();
                return raw.Contains('.', StringComparison.Ordinal) || raw.Contains('e', StringComparison.OrdinalIgnoreCase)
                    ? Invalid(field, "must be a string or an integer", errors)
                    : raw;
            default:
                return Invalid(field, $"must be a string, not {value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)}", errors);
        }
    }

    private static string? Invalid(string field, string message, Dictionary<string, string[]> errors)
    {
        errors[field] = [$"{field} {message}"];
        return null;
    }
}
