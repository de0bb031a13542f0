using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.JetStream.Models;

/// <summary>A consumer as the server reports it.</summary>
public sealed record ConsumerInfo
{
    /// <summary>Stream name.</summary>
    [JsonPropertyName("stream_name")]
    public string StreamName { get; init; } = string.Empty;

    /// <summary>Consumer name.</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = string.Empty;

    /// <summary>Configuration in force.</summary>
    [JsonPropertyName("config")]
    public ConsumerConfig Config { get; init; } = new();

    /// <summary>Messages not yet delivered.</summary>
    [JsonPropertyName("num_pending")]
    public long NumPending { get; init; }

    /// <summary>Delivered but not acked.</summary>
    [JsonPropertyName("num_ack_pending")]
    public long NumAckPending { get; init; }

    /// <summary>Messages delivered more than once.</summary>
    [JsonPropertyName("num_redelivered")]
    public long NumRedelivered { get; init; }

    /// <summary>Waiting pull requests.</summary>
    [JsonPropertyName("num_waiting")]
    public long NumWaiting { get; init; }
}
