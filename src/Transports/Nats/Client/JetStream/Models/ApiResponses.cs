using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.JetStream.Models;

/// <summary>Envelope of any JetStream API response: checked for <c>error</c> before the typed body is read.</summary>
internal sealed record ApiErrorResponse
{
    [JsonPropertyName("error")]
    public ApiError? Error { get; init; }
}

/// <summary>STREAM.DELETE / CONSUMER.DELETE response.</summary>
internal sealed record ApiSuccessResponse
{
    [JsonPropertyName("success")]
    public bool Success { get; init; }
}

/// <summary>CONSUMER.DURABLE.CREATE request.</summary>
internal sealed record ConsumerCreateRequest
{
    [JsonPropertyName("stream_name")]
    public string StreamName { get; init; } = string.Empty;

    [JsonPropertyName("config")]
    public ConsumerConfig Config { get; init; } = new();
}

/// <summary>
/// CONSUMER.MSG.NEXT request (https://docs.nats.io/reference/reference-protocols/nats_api_reference, pull requests).
/// </summary>
internal sealed record PullRequest
{
    [JsonPropertyName("batch")]
    public int Batch { get; init; }

    [JsonPropertyName("expires")]
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan Expires { get; init; }

    [JsonPropertyName("no_wait")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool NoWait { get; init; }

    [JsonPropertyName("idle_heartbeat")]
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan IdleHeartbeat { get; init; }
}

/// <summary>Body of <c>-NAK</c> with a delay.</summary>
internal sealed record NakDelay
{
    [JsonPropertyName("delay")]
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan Delay { get; init; }
}
