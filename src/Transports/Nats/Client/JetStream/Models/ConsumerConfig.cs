using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.JetStream.Models;

/// <summary>
/// Pull consumer configuration (https://docs.nats.io/nats-concepts/jetstream/consumers#configuration), fields known to
/// nats-server 2.9 (newer ones would be silently ignored by it, so they are not offered).
/// </summary>
public sealed record ConsumerConfig
{
    /// <summary>Durable name (survives restarts and client disconnects); null for an ephemeral consumer.</summary>
    [JsonPropertyName("durable_name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DurableName { get; init; }

    /// <summary>Where delivery starts.</summary>
    [JsonPropertyName("deliver_policy")]
    public ConsumerConfigDeliverPolicy DeliverPolicy { get; init; } = ConsumerConfigDeliverPolicy.All;

    /// <summary>Ack policy: explicit (each message).</summary>
    [JsonPropertyName("ack_policy")]
    public ConsumerConfigAckPolicy AckPolicy { get; init; } = ConsumerConfigAckPolicy.Explicit;

    /// <summary>How long the server waits for an ack before delivering again. Default 30 s.</summary>
    [JsonPropertyName("ack_wait")]
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most deliveries of one message; -1 for unlimited.</summary>
    [JsonPropertyName("max_deliver")]
    public long MaxDeliver { get; init; } = -1;

    /// <summary>Only messages on this subject (may be a wildcard); null for all of the stream.</summary>
    [JsonPropertyName("filter_subject")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FilterSubject { get; init; }

    /// <summary>Replay speed: instant.</summary>
    [JsonPropertyName("replay_policy")]
    public ConsumerConfigReplayPolicy ReplayPolicy { get; init; } = ConsumerConfigReplayPolicy.Instant;

    /// <summary>Most delivered-but-unacked messages over all clients of the consumer. Default 1000.</summary>
    [JsonPropertyName("max_ack_pending")]
    public long MaxAckPending { get; init; } = 1000;

    /// <summary>Most waiting pull requests. Default 512.</summary>
    [JsonPropertyName("max_waiting")]
    public long MaxWaiting { get; init; } = 512;
}

/// <summary>Deliver policy.</summary>
public enum ConsumerConfigDeliverPolicy
{
    /// <summary>From the first message.</summary>
    [JsonStringEnumMemberName("all")]
    All,

    /// <summary>From the last message.</summary>
    [JsonStringEnumMemberName("last")]
    Last,

    /// <summary>Only messages published after creation.</summary>
    [JsonStringEnumMemberName("new")]
    New,
}

/// <summary>Ack policy.</summary>
public enum ConsumerConfigAckPolicy
{
    /// <summary>No acks.</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>An ack acknowledges all earlier messages too.</summary>
    [JsonStringEnumMemberName("all")]
    All,

    /// <summary>Each message is acked by itself.</summary>
    [JsonStringEnumMemberName("explicit")]
    Explicit,
}

/// <summary>Replay policy.</summary>
public enum ConsumerConfigReplayPolicy
{
    /// <summary>As fast as possible.</summary>
    [JsonStringEnumMemberName("instant")]
    Instant,

    /// <summary>At the original pace.</summary>
    [JsonStringEnumMemberName("original")]
    Original,
}
