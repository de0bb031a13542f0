using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.JetStream.Models;

/// <summary>
/// Stream configuration (https://docs.nats.io/nats-concepts/jetstream/streams#configuration); the fields nats-server 2.9
/// knows. Durations are sent as nanoseconds; zero means unlimited where the server says so.
/// </summary>
public sealed record StreamConfig
{
    /// <summary>Stream name (no dots, spaces, <c>*</c>, <c>&gt;</c>).</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = string.Empty;

    /// <summary>Subjects captured by the stream.</summary>
    [JsonPropertyName("subjects")]
    public IReadOnlyList<string> Subjects { get; init; } = [];

    /// <summary>When messages are removed: limits, interest, or work-queue (removed on ack).</summary>
    [JsonPropertyName("retention")]
    public StreamConfigRetention Retention { get; init; } = StreamConfigRetention.Limits;

    /// <summary>File or memory storage.</summary>
    [JsonPropertyName("storage")]
    public StreamConfigStorage Storage { get; init; } = StreamConfigStorage.File;

    /// <summary>Replicas (1 on a single server).</summary>
    [JsonPropertyName("num_replicas")]
    public int NumReplicas { get; init; } = 1;

    /// <summary>Oldest message age kept; zero for unlimited.</summary>
    [JsonPropertyName("max_age")]
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan MaxAge { get; init; }

    /// <summary>Most bytes kept; -1 for unlimited.</summary>
    [JsonPropertyName("max_bytes")]
    public long MaxBytes { get; init; } = -1;

    /// <summary>Most messages kept; -1 for unlimited.</summary>
    [JsonPropertyName("max_msgs")]
    public long MaxMsgs { get; init; } = -1;

    /// <summary>Largest message in bytes; -1 for the server limit.</summary>
    [JsonPropertyName("max_msg_size")]
    public int MaxMsgSize { get; init; } = -1;

    /// <summary>What to do when a limit is reached: drop old messages, or refuse new ones.</summary>
    [JsonPropertyName("discard")]
    public StreamConfigDiscard Discard { get; init; } = StreamConfigDiscard.Old;

    /// <summary>Window in which a repeated <c>Nats-Msg-Id</c> is recognised as a duplicate. Default 2 min.</summary>
    [JsonPropertyName("duplicate_window")]
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Most consumers; -1 for unlimited.</summary>
    [JsonPropertyName("max_consumers")]
    public int MaxConsumers { get; init; } = -1;
}

/// <summary>Stream retention policy.</summary>
public enum StreamConfigRetention
{
    /// <summary>Kept until a limit (age, bytes, count) removes them.</summary>
    [JsonStringEnumMemberName("limits")]
    Limits,

    /// <summary>Kept while a consumer has not acked them.</summary>
    [JsonStringEnumMemberName("interest")]
    Interest,

    /// <summary>Removed once acked by the (single, non-overlapping) consumer.</summary>
    [JsonStringEnumMemberName("workqueue")]
    Workqueue,
}

/// <summary>Stream storage.</summary>
public enum StreamConfigStorage
{
    /// <summary>On disk.</summary>
    [JsonStringEnumMemberName("file")]
    File,

    /// <summary>In memory.</summary>
    [JsonStringEnumMemberName("memory")]
    Memory,
}

/// <summary>Discard policy.</summary>
public enum StreamConfigDiscard
{
    /// <summary>Drop the oldest messages.</summary>
    [JsonStringEnumMemberName("old")]
    Old,

    /// <summary>Refuse new messages.</summary>
    [JsonStringEnumMemberName("new")]
    New,
}
