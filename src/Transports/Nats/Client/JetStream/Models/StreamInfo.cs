using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.JetStream.Models;

/// <summary>A stream as the server reports it (STREAM.CREATE / INFO / UPDATE response).</summary>
public sealed record StreamInfo
{
    /// <summary>Configuration in force (as the server stored it).</summary>
    [JsonPropertyName("config")]
    public StreamConfig Config { get; init; } = new();

    /// <summary>Current contents.</summary>
    [JsonPropertyName("state")]
    public StreamState State { get; init; } = new();
}

/// <summary>Contents of a stream.</summary>
public sealed record StreamState
{
    /// <summary>Messages stored.</summary>
    [JsonPropertyName("messages")]
    public long Messages { get; init; }

    /// <summary>Bytes stored.</summary>
    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    /// <summary>First sequence.</summary>
    [JsonPropertyName("first_seq")]
    public ulong FirstSeq { get; init; }

    /// <summary>Last sequence.</summary>
    [JsonPropertyName("last_seq")]
    public ulong LastSeq { get; init; }

    /// <summary>Consumers.</summary>
    [JsonPropertyName("consumer_count")]
    public int ConsumerCount { get; init; }
}
