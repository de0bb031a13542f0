using System.Text;
using System.Text.Json;
using SmsGateway.Load.Api;

namespace SmsGateway.Load.Generation;

/// <summary>Reads and writes request files (JSON Lines, UTF-8, one <see cref="RequestLine"/> per line).</summary>
public static class RequestFile
{
    /// <summary>Placeholder in <see cref="RequestLine.RawBody"/> that the replay replaces with the run's user id.</summary>
    public const string UserPlaceholder = "@user@";

    /// <summary>Writes <paramref name="lines"/> to <paramref name="path"/>, replacing the file.</summary>
    public static async Task WriteAsync(string path, IEnumerable<RequestLine> lines, CancellationToken ct)
    {
        await using var w = new StreamWriter(path, append: false, new UTF8Encoding(false));
        foreach (var line in lines)
        {
            ct.ThrowIfCancellationRequested();
            await w.WriteLineAsync(JsonSerializer.Serialize(line, ApiJson.Options)).ConfigureAwait(false);
        }
    }

    /// <summary>Reads every non-blank line of <paramref name="path"/>. Throws <see cref="InvalidDataException"/> naming the line that does not parse.</summary>
    public static async Task<List<RequestLine>> ReadAsync(string path, CancellationToken ct)
    {
        var result = new List<RequestLine>();
        var n = 0;
        foreach (var text in await File.ReadAllLinesAsync(path, ct).ConfigureAwait(false))
        {
            n++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try { result.Add(JsonSerializer.Deserialize<RequestLine>(text, ApiJson.Options) ?? throw new JsonException("null line")); }
            catch (JsonException e) { throw new InvalidDataException($"{path}:{n}: {e.Message}", e); }
        }
        return result;
    }
}
