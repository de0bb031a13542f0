using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmsGateway.Load.Api;

/// <summary>JSON settings shared by the HTTP client, the request files and the reports: snake_case names, nulls omitted.</summary>
public static class ApiJson
{
    /// <summary>Options for the gateway's snake_case JSON (reading is case-insensitive and lenient about numbers in strings).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Same as <see cref="Options"/> but indented, for configuration dumps in reports.</summary>
    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };
}
