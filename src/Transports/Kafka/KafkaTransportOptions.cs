using System.Text.RegularExpressions;
using SmsGateway.Model;

namespace SmsGateway.Transports.Kafka;

/// <summary>
/// Settings of <see cref="KafkaTransport"/>. Bound from configuration section <c>Kafka</c> by the host
/// (e.g. <c>Kafka__BootstrapServers</c>); call <see cref="Validate"/> (the transport does) before use.
/// </summary>
/// <remarks>Times are milliseconds. librdkafka property names are given for each setting
/// (https://github.com/confluentinc/librdkafka/blob/v2.16.0/CONFIGURATION.md).</remarks>
public sealed partial record KafkaTransportOptions
{
    /// <summary>Comma-separated <c>host:port</c> list of brokers (<c>bootstrap.servers</c>). Required.</summary>
    public string BootstrapServers { get; init; } = string.Empty;

    /// <summary>
    /// Kafka topic name per pipeline topic (<see cref="Topics"/>). Missing entries keep the pipeline name, so the default
    /// maps <c>sms-express</c>, <c>sms-normal</c>, <c>sms-dlq</c>, <c>sms-status</c> to themselves.
    /// </summary>
    public IReadOnlyDictionary<string, string> TopicNames { get; init; } = new Dictionary<string, string>();

    /// <summary>Prefix put before every consumer group name (<c>group.id</c> = prefix + group). Default empty.</summary>
    public string GroupIdPrefix { get; init; } = string.Empty;

    /// <summary>Client id sent to the brokers (<c>client.id</c>). Default <c>sms-gateway</c>.</summary>
    public string ClientId { get; init; } = "sms-gateway";

    /// <summary>
    /// How long a publish may wait for the broker's acknowledgement, retries included (<c>message.timeout.ms</c>).
    /// A dead broker fails a publish after this long instead of librdkafka's 300 s default. Default 5000 ms.
    /// </summary>
    public int PublishTimeoutMs { get; init; } = 5000;

    /// <summary>Producer linger for <c>sms-express</c> (<c>linger.ms</c>): latency first. Default 0 ms.</summary>
    public double ExpressLingerMs { get; init; } = 0;

    /// <summary>Producer linger for the other topics (<c>linger.ms</c>): batching first. Default 5 ms.</summary>
    public double LingerMs { get; init; } = 5;

    /// <summary>Most messages a producer buffers before publish fails fast with "queue full" (<c>queue.buffering.max.messages</c>). Default 100000.</summary>
    public int ProducerQueueMaxMessages { get; init; } = 100_000;

    /// <summary>Consumer group session timeout (<c>session.timeout.ms</c>): a silent member is evicted after this. Default 10000 ms.</summary>
    public int SessionTimeoutMs { get; init; } = 10_000;

    /// <summary>Consumer group heartbeat interval (<c>heartbeat.interval.ms</c>); must be below <see cref="SessionTimeoutMs"/>. Default 1000 ms.</summary>
    public int HeartbeatIntervalMs { get; init; } = 1000;

    /// <summary>Longest time the broker holds a fetch waiting for data (<c>fetch.wait.max.ms</c>): bounds consume latency. Default 10 ms.</summary>
    public int FetchWaitMaxMs { get; init; } = 10;

    /// <summary>How often acknowledged offsets are committed. Offsets are also committed on revoke and on close. Default 200 ms.</summary>
    public int CommitIntervalMs { get; init; } = 200;

    /// <summary>
    /// Where a group with no committed offset starts (<c>auto.offset.reset</c>): <c>earliest</c> (default, nothing
    /// published before the first member joined is missed) or <c>latest</c>.
    /// </summary>
    public string AutoOffsetReset { get; init; } = "earliest";

    /// <summary>
    /// Extra librdkafka properties for producers and consumers (for example <c>security.protocol</c>,
    /// <c>sasl.mechanism</c>, <c>sasl.username</c>); applied last, so they override the settings above.
    /// </summary>
    public IReadOnlyDictionary<string, string> Additional { get; init; } = new Dictionary<string, string>();

    /// <summary>Shared defaults (<see cref="BootstrapServers"/> must still be set).</summary>
    public static KafkaTransportOptions Default { get; } = new();

    /// <summary>
    /// Kafka topic that dead-lettered messages (<see cref="SmsGateway.Transport.IDelivery.DeadLetterAsync"/>) are written to,
    /// with their origin topic and reason as headers; listed and replayed by <see cref="KafkaTransport.ListAsync"/> and
    /// <see cref="KafkaTransport.ReplayAsync"/>. Default <c>sms-dead</c>.
    /// </summary>
    public string DeadLetterTopic { get; init; } = "sms-dead";

    /// <summary>The Kafka topic for a pipeline topic.</summary>
    public string KafkaTopic(string topic) =>
        TopicNames.TryGetValue(topic, out var name) && !string.IsNullOrWhiteSpace(name) ? name : topic;

    /// <summary>Checks every setting and returns this instance.</summary>
    /// <exception cref="ArgumentException">A required setting is missing or a name is not a legal Kafka name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    public KafkaTransportOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new ArgumentException("Kafka:BootstrapServers is required (host:port[,host:port...]).", nameof(BootstrapServers));
        }

        foreach (var server in BootstrapServers.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"Kafka:BootstrapServers entry '{server}' is not host:port.", nameof(BootstrapServers));
            }
        }

        foreach (var topic in Topics.All.Select(KafkaTopic))
        {
            if (topic.Length > 249 || !LegalName().IsMatch(topic))
            {
                throw new ArgumentException($"Kafka topic name '{topic}' is not legal (1-249 of [a-zA-Z0-9._-]).", nameof(TopicNames));
            }
        }

        if (DeadLetterTopic.Length is 0 or > 249 || !LegalName().IsMatch(DeadLetterTopic) || Topics.All.Select(KafkaTopic).Contains(DeadLetterTopic))
        {
            throw new ArgumentException($"Kafka:DeadLetterTopic '{DeadLetterTopic}' must be a legal Kafka name (1-249 of [a-zA-Z0-9._-]) of its own.", nameof(DeadLetterTopic));
        }

        if (GroupIdPrefix.Length > 0 && !LegalName().IsMatch(GroupIdPrefix))
        {
            throw new ArgumentException($"Kafka:GroupIdPrefix '{GroupIdPrefix}' may hold only [a-zA-Z0-9._-].", nameof(GroupIdPrefix));
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            throw new ArgumentException("Kafka:ClientId must not be empty.", nameof(ClientId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(PublishTimeoutMs, 1, nameof(PublishTimeoutMs));
        ArgumentOutOfRangeException.ThrowIfNegative(ExpressLingerMs, nameof(ExpressLingerMs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ExpressLingerMs, 900_000, nameof(ExpressLingerMs));
        ArgumentOutOfRangeException.ThrowIfNegative(LingerMs, nameof(LingerMs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LingerMs, 900_000, nameof(LingerMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(ProducerQueueMaxMessages, 1, nameof(ProducerQueueMaxMessages));
        ArgumentOutOfRangeException.ThrowIfLessThan(SessionTimeoutMs, 1, nameof(SessionTimeoutMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(HeartbeatIntervalMs, 1, nameof(HeartbeatIntervalMs));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(HeartbeatIntervalMs, SessionTimeoutMs, nameof(HeartbeatIntervalMs));
        ArgumentOutOfRangeException.ThrowIfNegative(FetchWaitMaxMs, nameof(FetchWaitMaxMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(CommitIntervalMs, 1, nameof(CommitIntervalMs));
        if (AutoOffsetReset is not ("earliest" or "latest"))
        {
            throw new ArgumentException($"Kafka:AutoOffsetReset must be 'earliest' or 'latest', not '{AutoOffsetReset}'.", nameof(AutoOffsetReset));
        }

        return this;
    }

    [GeneratedRegex("^[a-zA-Z0-9._-]+$")]
    private static partial Regex LegalName();
}
