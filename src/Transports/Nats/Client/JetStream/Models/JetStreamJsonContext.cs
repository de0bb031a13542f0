using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.JetStream.Models;

/// <summary>Source-generated JSON for the JetStream API (enums as the server's lower-case strings).</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(StreamConfig))]
[JsonSerializable(typeof(StreamInfo))]
[JsonSerializable(typeof(ConsumerInfo))]
[JsonSerializable(typeof(PubAckResponse))]
[JsonSerializable(typeof(ApiErrorResponse))]
[JsonSerializable(typeof(ApiSuccessResponse))]
[JsonSerializable(typeof(ConsumerCreateRequest))]
[JsonSerializable(typeof(PullRequest))]
[JsonSerializable(typeof(NakDelay))]
internal sealed partial class JetStreamJsonContext : JsonSerializerContext
{
}
