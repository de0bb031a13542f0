using System.Text.Json.Serialization;

namespace SmsGateway.KestrelBaseline;

/// <summary>The /send body as the gateway reads it (snake_case wire names).</summary>
internal sealed record BaselineSendBody(
    [property: JsonPropertyName("phone")] string? Phone,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("user_id")] string? UserId);

/// <summary>A 202 answer of the gateway's shape and size; the cost is in minor currency units.</summary>
internal sealed record BaselineAccepted(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("phone")] string Phone,
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("segments")] int Segments,
    [property: JsonPropertyName("encoding")] string Encoding,
    [property: JsonPropertyName("cost")] long Cost);

/// <summary>The balance answer of POST /charge (minor currency units).</summary>
internal sealed record BaselineBalance(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("available")] long Available,
    [property: JsonPropertyName("reserved")] long Reserved,
    [property: JsonPropertyName("spent")] long Spent);

[JsonSerializable(typeof(BaselineSendBody))]
[JsonSerializable(typeof(BaselineAccepted))]
[JsonSerializable(typeof(BaselineBalance))]
internal sealed partial class BaselineJson : JsonSerializerContext;
