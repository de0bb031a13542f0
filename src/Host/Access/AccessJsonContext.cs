using System.Text.Json.Serialization;

namespace SmsGateway.Host.Access;

/// <summary>Generated JSON metadata of the access endpoints (snake_case like the rest of the API).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(IssuedKey))]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(LimitsBody))]
[JsonSerializable(typeof(LimitsView))]
internal sealed partial class AccessJsonContext : JsonSerializerContext;
