using NATS.Client.JetStream.Models;
using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

/// <summary>
/// The streams and consumers the transport declares, and the check of what the server kept. nats-server 2.9 answers a
/// create or update with the configuration it stored: it ignores fields it does not know and, for an existing stream,
/// keeps what may not change. So every declaration is compared with the server's answer, field by field, and a
/// difference stops the transport (README.md, "NATS JetStream transport").
/// </summary>
/// <remarks>
/// Only 2.9 features are used: one filter-less consumer per work-queue stream (no <c>filter_subjects</c>, 2.10), no stream or
/// consumer <c>metadata</c> (2.10), no compression or subject transforms (2.10), no per-message TTL or priority groups (2.11).
/// </remarks>
internal static class NatsTopology
{
    /// <summary>The five streams of <paramref name="o"/>: four topics and the dead stream.</summary>
    public static IEnumerable<StreamConfig> Streams(NatsTransportOptions o)
    {
        foreach (var topic in Topics.All)
        {
            var isStatus = topic == Topics.Status;
            yield return new StreamConfig
            {
                Name = o.StreamOf(topic),
                Subjects = [o.SubjectOf(topic)],
                Retention = isStatus ? StreamConfigRetention.Limits : StreamConfigRetention.Workqueue,
                Storage = o.Storage,
                NumReplicas = o.Replicas,
                MaxAge = isStatus ? o.StatusMaxAge : TimeSpan.Zero,
                DuplicateWindow = o.DuplicateWindow,
            };
        }

        yield return new StreamConfig
        {
            Name = o.DeadStream,
            Subjects = [$"{o.SubjectPrefix}.dead.>"],
            Retention = StreamConfigRetention.Limits,
            Storage = o.Storage,
            NumReplicas = o.Replicas,
            MaxAge = o.DeadLetterMaxAge,
            DuplicateWindow = o.DuplicateWindow,
        };
    }

    /// <summary>The durable pull consumer of a consumer group.</summary>
    /// <remarks>
    /// The server's <c>max_deliver</c> stays unlimited: on 2.9 a message that exhausts it stays in a work-queue stream for
    /// ever, so the transport dead-letters on the last delivery itself (<see cref="NatsTransportOptions.MaxDeliver"/>).
    /// </remarks>
    public static ConsumerConfig Consumer(NatsTransportOptions o, string group, SubscriptionOptions options) => new()
    {
        DurableName = group,
        DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        AckPolicy = ConsumerConfigAckPolicy.Explicit,
        AckWait = options.AckWait,
        MaxDeliver = -1,
        MaxAckPending = Math.Max(o.MaxAckPending, options.MaxInFlight),
        ReplayPolicy = ConsumerConfigReplayPolicy.Instant,
    };

    /// <summary>Compares the stream configuration the server returned with the declared one.</summary>
    /// <exception cref="TransportException">A field differs; the message names it, with both values.</exception>
    public static void VerifyStream(StreamConfig wanted, StreamConfig? actual)
    {
        var where = $"stream {wanted.Name}";
        Require(actual is not null, where, "configuration", "returned", "none");
        Same(where, "subjects", string.Join(',', wanted.Subjects ?? []), string.Join(',', actual!.Subjects ?? []));
        Same(where, "retention", wanted.Retention, actual.Retention);
        Same(where, "storage", wanted.Storage, actual.Storage);
        Same(where, "num_replicas", wanted.NumReplicas, actual.NumReplicas);
        Same(where, "max_age", wanted.MaxAge, actual.MaxAge);
        Same(where, "duplicate_window", wanted.DuplicateWindow, actual.DuplicateWindow);
    }

    /// <summary>Compares the consumer configuration the server returned with the declared one.</summary>
    /// <exception cref="TransportException">A field differs; the message names it, with both values.</exception>
    public static void VerifyConsumer(string stream, ConsumerConfig wanted, ConsumerConfig? actual)
    {
        var where = $"consumer {stream}/{wanted.DurableName}";
        Require(actual is not null, where, "configuration", "returned", "none");
        Same(where, "durable_name", wanted.DurableName, actual!.DurableName);
        Same(where, "deliver_policy", wanted.DeliverPolicy, actual.DeliverPolicy);
        Same(where, "ack_policy", wanted.AckPolicy, actual.AckPolicy);
        Same(where, "ack_wait", wanted.AckWait, actual.AckWait);
        Same(where, "max_deliver", wanted.MaxDeliver, actual.MaxDeliver);
        Same(where, "max_ack_pending", wanted.MaxAckPending, actual.MaxAckPending);
        Same(where, "filter_subject", wanted.FilterSubject ?? string.Empty, actual.FilterSubject ?? string.Empty);
        Require(string.IsNullOrEmpty(actual.DeliverSubject), where, "deliver_subject", "none (pull)", actual.DeliverSubject!);
    }

    private static void Same<T>(string where, string field, T wanted, T actual)
    {
        if (!EqualityComparer<T>.Default.Equals(wanted, actual))
        {
            throw new TransportException($"NATS {where}: the server kept {field}={actual}, the transport needs {wanted}");
        }
    }

    private static void Require(bool condition, string where, string field, string wanted, string actual)
    {
        if (!condition)
        {
            throw new TransportException($"NATS {where}: the server kept {field}={actual}, the transport needs {wanted}");
        }
    }
}
