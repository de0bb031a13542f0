using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

public sealed partial class NatsTransport : IDeadLetterStore
{
    private const int MaxReplay = 10_000;
    private const int MaxScan = 100_000;
    private static readonly NatsRawSerializer<byte[]> RawBytes = NatsRawSerializer<byte[]>.Default;

    /// <inheritdoc />
    /// <remarks>
    /// Reads the dead stream (<see cref="NatsTransportOptions.DeadStream"/>) through a short-lived ephemeral consumer
    /// (no acks; filtered by the topic's dead subject), so listing changes nothing. Ids are dead-stream sequences.
    /// </remarks>
    public async ValueTask<IReadOnlyList<DeadLetter>> ListAsync(string? topic, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var list = new List<DeadLetter>(Math.Min(limit, 256));
        await ReadDeadAsync(topic, 1, (msg, letter) =>
        {
            list.Add(letter);
            return ValueTask.FromResult(list.Count < limit);
        }, cancellationToken).ConfigureAwait(false);
        return list;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Republishes through <see cref="PublishAsync"/> with message id <c>dead-replay:&lt;sequence&gt;</c> (a repeated replay
    /// within the duplicate window stores it once), then deletes the dead-stream message by sequence.
    /// </remarks>
    public async ValueTask<DeadLetterReplay> ReplayAsync(string? topic, IReadOnlyCollection<string>? ids, CancellationToken cancellationToken)
    {
        HashSet<ulong>? wanted = null;
        var notFound = new List<string>();
        if (ids is { Count: > 0 })
        {
            wanted = [];
            foreach (var id in ids)
            {
                if (ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0)
                {
                    wanted.Add(seq);
                }
                else
                {
                    notFound.Add(id);
                }
            }

            if (wanted.Count == 0)
            {
                return new DeadLetterReplay([], notFound);
            }
        }

        var replayed = new List<string>();
        var start = wanted is null ? 1UL : wanted.Min();
        await ReadDeadAsync(topic, start, async (msg, letter) =>
        {
            var seq = msg.Metadata!.Value.Sequence.Stream;
            if (wanted is not null && !wanted.Remove(seq))
            {
                return true;
            }

            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in msg.Headers ?? [])
            {
                if (!k.StartsWith("Nats-", StringComparison.Ordinal) && k != KeyHeader && !DeadLetterHeaders.IsDeadLetterHeader(k))
                {
                    headers[k] = v.ToString();
                }
            }

            await PublishAsync(letter.Topic, new OutgoingMessage(letter.Key, msg.Data ?? [], "dead-replay:" + letter.Id, headers), cancellationToken).ConfigureAwait(false);
            try
            {
                await JetStream.DeleteMessageAsync(_options.DeadStream, new StreamMsgDeleteRequest { Seq = seq, NoErase = true }, cancellationToken).ConfigureAwait(false);
            }
            catch (NatsJSApiException ex) when (ex.Error.Code == 404)
            {
                // deleted meanwhile by a concurrent replay: the republish above was de-duplicated by its id
            }

            replayed.Add(letter.Id);
            TransportLog.Replayed(_logger, seq, letter.Topic);
            return (wanted is null || wanted.Count > 0) && replayed.Count < MaxReplay;
        }, cancellationToken).ConfigureAwait(false);

        if (wanted is not null)
        {
            notFound.AddRange(wanted.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        }

        return new DeadLetterReplay(replayed, notFound);
    }

    // Visits the dead stream's messages of `topic` (all when null) from sequence `start`, until `visit` returns false or
    // MaxScan messages were read. The topic is matched on the client: nats-server 2.9.10 refuses NATS.Net's create request
    // for a filtered ephemeral consumer ("did not match filtered subject").
    private async Task ReadDeadAsync(string? topic, ulong start, Func<INatsJSMsg<byte[]>, DeadLetter, ValueTask<bool>> visit, CancellationToken cancellationToken)
    {
        string? filter;
        try
        {
            filter = topic is null ? null : _options.DeadSubjectOf(topic);
        }
        catch (ArgumentException ex)
        {
            throw new TransportException(ex.Message, ex);
        }

        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        INatsJSConsumer consumer;
        try
        {
            consumer = await JetStream.CreateOrUpdateConsumerAsync(_options.DeadStream, new ConsumerConfig
            {
                DeliverPolicy = start > 1 ? ConsumerConfigDeliverPolicy.ByStartSequence : ConsumerConfigDeliverPolicy.All,
                OptStartSeq = start > 1 ? start : 0,
                AckPolicy = ConsumerConfigAckPolicy.None,
                InactiveThreshold = TimeSpan.FromSeconds(30),
                MemStorage = true,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsException ex)
        {
            throw new TransportException($"could not read {_options.DeadStream}: {Describe(ex)}", ex);
        }

        try
        {
            var left = (long)Math.Min((ulong)MaxScan, consumer.Info.NumPending);
            var more = left > 0;
            while (more && left > 0)
            {
                var got = 0;
                var opts = new NatsJSFetchOpts { MaxMsgs = (int)Math.Min(left, 256), Expires = TimeSpan.FromSeconds(2) };
                await foreach (var msg in consumer.FetchAsync(opts, RawBytes, cancellationToken).ConfigureAwait(false))
                {
                    got++;
                    left--;
                    if ((filter is null || msg.Subject == filter) && !await visit(msg, ToDeadLetter(msg)).ConfigureAwait(false))
                    {
                        more = false;
                        break;
                    }

                    if (msg.Metadata is { NumPending: 0 })
                    {
                        more = false;
                        break;
                    }
                }

                more &= got > 0;
            }
        }
        catch (NatsException ex)
        {
            throw new TransportException($"could not read {_options.DeadStream}: {Describe(ex)}", ex);
        }
        finally
        {
            try
            {
                await JetStream.DeleteConsumerAsync(_options.DeadStream, consumer.Info.Name, CancellationToken.None).ConfigureAwait(false);
            }
            catch (NatsException ex)
            {
                // The server removes it after its inactive threshold anyway.
                TransportLog.ReplayConsumerNotDeleted(_logger, _options.DeadStream, ex.Message);
            }
        }
    }

    private static DeadLetter ToDeadLetter(INatsJSMsg<byte[]> msg)
    {
        var meta = msg.Metadata!.Value;
        var h = msg.Headers;
        string Header(string name) => h is not null && h.TryGetValue(name, out var v) ? v.ToString() : string.Empty;
        var at = long.TryParse(Header(DeadLetterHeaders.At), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : meta.Timestamp;
        return new DeadLetter(
            meta.Sequence.Stream.ToString(CultureInfo.InvariantCulture),
            Header(DeadLetterHeaders.Topic),
            Header(DeadLetterHeaders.Reason),
            at,
            msg.Data?.Length ?? 0,
            Header(KeyHeader));
    }
}
