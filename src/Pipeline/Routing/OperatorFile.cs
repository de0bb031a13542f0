using System.Text.Json.Serialization;

namespace SmsGateway.Routing;

/// <summary>The JSON shape of <c>operator.json</c> (snake_case).</summary>
internal sealed class OperatorFile
{
    public string? Currency { get; set; }

    public List<OperatorEntry>? Operators { get; set; }

    public Dictionary<string, string>? Overrides { get; set; }
}

/// <summary>One operator in <c>operator.json</c>.</summary>
internal sealed class OperatorEntry
{
    public string? Name { get; set; }

    public string? DisplayName { get; set; }

    public List<string>? Prefixes { get; set; }

    public long? PricePerSegment { get; set; }

    public int? MaxConcurrency { get; set; }

    public int? RateLimitPerSecond { get; set; }

    public int? SendTimeoutMs { get; set; }

    public System.Text.Json.JsonElement? Connection { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(OperatorFile))]
internal sealed partial class OperatorFileJsonContext : JsonSerializerContext;
