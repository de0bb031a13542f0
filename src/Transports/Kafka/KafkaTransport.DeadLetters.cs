using System.Globalization;
using System.Text;
using Confluent.Kafka;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka.Consuming;
using SmsGateway.Transports.Kafka.Diagnostics;
using SmsGateway.Transports.Kafka.Producing;

namespace SmsGateway.Transports.Kafka;

public sealed partial class KafkaTransport : IDeadLetterStore
{
    /// <summary>Header of a replay marker on the dead-letter topic: the id (<c>partition:offset</c>) it removes.</summary>
    private const string ReplayedHeader = "sms-dead-replayed";
    private const int MaxReplay = 10_000;

    /// <inheritdoc />
    /// <remarks>
    /// Reads the dead-letter topic (<see cref="KafkaTransportOptions.DeadLetterTopic"/>) from its start to its end by
    /// assignment (a throw-away group id, nothing committed). Ids are <c>partition:offset</c>. Kafka cannot delete one
    /// record, so a replayed one is hidden by a marker record written after it (<c>sms-dead-replayed</c> header); the
    /// topic's retention removes both in time. Blocking client calls run on a thread-pool thread (at most about 10 s).
    /// </remarks>
    public async ValueTask<IReadOnlyList<DeadLetter>> ListAsync(string? topic, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var entries = await ReadDeadAsync(topic, cancellationToken).ConfigureAwait(false);
        return [.. entries.Take(limit).Select(e => e.Letter)];
    }

    /// <inheritdoc />
    /// <remarks>Republishes each through <see cref="PublishAsync"/>, then writes its replay marker to the dead-letter topic.</remarks>
    public async ValueTask<DeadLetterReplay> ReplayAsync(string? topic, IReadOnlyCollection<string>? ids, CancellationToken cancellationToken)
    {
        var wanted = ids is { Count: > 0 } ? new HashSet<string>(ids, StringComparer.Ordinal) : null;
        var entries = await ReadDeadAsync(topic, cancellationToken).ConfigureAwait(false);
        var replayed = new List<string>();
        foreach (var e in entries)
        {
            if (replayed.Count >= MaxReplay || (wanted is not null && !wanted.Remove(e.Letter.Id)))
            {
                continue;
            }

            var headers = e.Headers.Where(h => !DeadLetterHeaders.IsDeadLetterHeader(h.Key) && h.Key != KafkaHeaders.MessageId)
                .ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
            await PublishAsync(e.Letter.Topic, new OutgoingMessage(e.Letter.Key, e.Payload, "dead-replay:" + e.Letter.Id, headers), cancellationToken).ConfigureAwait(false);
            await PublishAsync(_options.DeadLetterTopic, new OutgoingMessage(e.Letter.Id, ReadOnlyMemory<byte>.Empty, null,
                new Dictionary<string, string> { [ReplayedHeader] = e.Letter.Id }), cancellationToken).ConfigureAwait(false);
            replayed.Add(e.Letter.Id);
            Log.Replayed(_logger, e.Letter.Id, e.Letter.Topic);
        }

        return new DeadLetterReplay(replayed, wanted is null ? [] : [.. wanted]);
    }

    /// <summary>The sink of every subscription: writes one consumed message to the dead-letter topic.</summary>
    /// <exception cref="TransportException">Not stored.</exception>
    private async ValueTask DeadLetterAsync(string topic, InFlightMessage message, int deliveries, string reason, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(message.Headers.Count + 4, StringComparer.Ordinal);
        foreach (var (k, v) in message.Headers)
        {
            if (!DeadLetterHeaders.IsDeadLetterHeader(k))
            {
                headers[k] = v;
            }
        }

        headers[DeadLetterHeaders.Topic] = topic;
        headers[DeadLetterHeaders.Reason] = reason.Length <= 200 ? reason : reason[..200];
        headers[DeadLetterHeaders.At] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers[DeadLetterHeaders.Deliveries] = deliveries.ToString(CultureInfo.InvariantCulture);
        await PublishAsync(_options.DeadLetterTopic, new OutgoingMessage(message.Key, message.Payload, null, headers), cancellationToken).ConfigureAwait(false);
        Log.DeadLettered(_logger, topic, _options.DeadLetterTopic, reason);
    }

    private Task<List<DeadEntry>> ReadDeadAsync(string? topic, CancellationToken cancellationToken) =>
        Task.Run(() => ReadDead(topic, cancellationToken), cancellationToken);

    private List<DeadEntry> ReadDead(string? topic, CancellationToken cancellationToken)
    {
        var config = KafkaConfigs.Consumer(_options, "sms-dead-reader-" + Guid.NewGuid().ToString("N"), 1000);
        var entries = new List<DeadEntry>();
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
            using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            var timeout = TimeSpan.FromSeconds(5);
            var meta = admin.GetMetadata(_options.DeadLetterTopic, timeout).Topics.FirstOrDefault();
            if (meta is null || meta.Error.IsError || meta.Partitions.Count == 0)
            {
                return [];
            }

            var ends = new Dictionary<int, long>();
            var starts = new List<TopicPartitionOffset>();
            foreach (var p in meta.Partitions)
            {
                var tp = new TopicPartition(_options.DeadLetterTopic, p.PartitionId);
                var marks = consumer.QueryWatermarkOffsets(tp, timeout);
                if (marks.High.Value > marks.Low.Value)
                {
                    ends[p.PartitionId] = marks.High.Value;
                    starts.Add(new TopicPartitionOffset(tp, marks.Low));
                }
            }

            if (starts.Count == 0)
            {
                return [];
            }

            consumer.Assign(starts);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (ends.Count > 0 && DateTime.UtcNow < deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (r?.Message is null)
                {
                    continue;
                }

                if (r.Offset.Value >= ends.GetValueOrDefault(r.Partition.Value, long.MaxValue) - 1)
                {
                    ends.Remove(r.Partition.Value);
                }

                var headers = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var h in r.Message.Headers ?? [])
                {
                    headers[h.Key] = Encoding.UTF8.GetString(h.GetValueBytes());
                }

                if (headers.TryGetValue(ReplayedHeader, out var replayedId))
                {
                    hidden.Add(replayedId);
                    continue;
                }

                var origin = headers.GetValueOrDefault(DeadLetterHeaders.Topic, string.Empty);
                if (topic is not null && origin != topic)
                {
                    continue;
                }

                var at = long.TryParse(headers.GetValueOrDefault(DeadLetterHeaders.At), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                    ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                    : r.Message.Timestamp.UtcDateTime;
                var payload = r.Message.Value ?? [];
                var id = string.Create(CultureInfo.InvariantCulture, $"{r.Partition.Value}:{r.Offset.Value}");
                entries.Add(new DeadEntry(new DeadLetter(id, origin, headers.GetValueOrDefault(DeadLetterHeaders.Reason, string.Empty), at, payload.Length, r.Message.Key ?? string.Empty), payload, headers));
            }

            consumer.Close();
        }
        catch (KafkaException ex)
        {
            throw new TransportException($"could not read Kafka topic '{_options.DeadLetterTopic}': {ex.Error.Code} {ex.Error.Reason}", ex);
        }

        entries.RemoveAll(e => hidden.Contains(e.Letter.Id));
        entries.Sort((a, b) => a.Letter.At.CompareTo(b.Letter.At));
        return entries;
    }

    private sealed record DeadEntry(DeadLetter Letter, byte[] Payload, Dictionary<string, string> Headers);
}
