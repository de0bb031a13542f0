using System.Text.Json.Serialization;

namespace SmsGateway.Host.Admin;

/// <summary>Generated JSON metadata of the admin endpoints (snake_case like the rest of the API).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DeadLetterList))]
[JsonSerializable(typeof(DeadLetterReplayBody))]
[JsonSerializable(typeof(DeadLetterReplayResult))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
