using System.Globalization;
using Microsoft.Extensions.Primitives;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

public sealed partial class NatsTransport
{
    /// <inheritdoc />
    /// <remarks>
    /// The group is a durable pull consumer named <paramref name="consumerGroup"/> on the topic's stream (ack wait =
    /// <see cref="SubscriptionOptions.AckWait"/>), verified against the configuration the server returned; all members
    /// share it. A work-queue topic accepts one group.
    /// </remarks>
    public async ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string stream;
        try
        {
            stream = _options.StreamOf(topic);
            ValidateGroup(consumerGroup);
        }
        catch (ArgumentException ex)
        {
            throw new TransportException(ex.Message, ex);
        }

        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        INatsJSConsumer consumer;
        try
        {
            var config = NatsTopology.Consumer(_options, consumerGroup, options);
            consumer = await JetStream.CreateOrUpdateConsumerAsync(stream, config, cancellationToken).ConfigureAwait(false);
            NatsTopology.VerifyConsumer(stream, config, consumer.Info.Config);
        }
        catch (NatsException ex)
        {
            throw new TransportException($"could not join group '{consumerGroup}' on {stream}: {ex.Message}", ex);
        }

        var subscription = new NatsSubscription(this, topic, consumerGroup, consumer, options, _logger);
        lock (_subscriptions)
        {
            _subscriptions.Add(subscription);
        }

        subscription.Start();
        return subscription;
    }

    private static void ValidateGroup(string group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group, nameof(group));
        if (group.Any(c => c is '.' or '*' or '>' or ' ' or '\t' or '/' or '\\'))
        {
            throw new ArgumentException($"consumer group '{group}' may not contain '.', '*', '>', '/', '\\' or whitespace", nameof(group));
        }
    }

    /// <summary>
    /// Moves a message to the dead stream: same headers without the server's <c>Nats-*</c> ones, plus
    /// <see cref="DeadLetterHeaders"/> (origin topic, reason, time, deliveries), id <c>&lt;stream&gt;:&lt;seq&gt;</c> so a
    /// repeat is de-duplicated; then settles it: ack on a work-queue stream (removes it), term on the status stream (limits
    /// retention: it stays for other groups, but this group never sees it again). <paramref name="deliveries"/>: the
    /// deliveries the application saw, recorded as <c>sms-dead-deliveries</c>. <paramref name="payload"/>: the message's
    /// bytes, read only until this call returns.
    /// </summary>
    /// <exception cref="TransportException">The dead stream did not store it, or the settle was not sent; the message is left as it was.</exception>
    internal async Task DeadLetterAsync(string topic, INatsJSMsg<NatsMemoryOwner<byte>> msg, ReadOnlyMemory<byte> payload, string reason, ulong deliveries, CancellationToken cancellationToken)
    {
        var meta = msg.Metadata!.Value;
        try
        {
            var headers = new NatsHeaders(new Dictionary<string, StringValues>(StringComparer.Ordinal));
            if (msg.Headers is not null)
            {
                foreach (var (k, v) in msg.Headers)
                {
                    if (!k.StartsWith("Nats-", StringComparison.Ordinal) && !DeadLetterHeaders.IsDeadLetterHeader(k))
                    {
                        headers[k] = v;
                    }
                }
            }

            headers[DeadLetterHeaders.Topic] = topic;
            headers[DeadLetterHeaders.Reason] = HeaderSafe(reason);
            headers[DeadLetterHeaders.At] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            headers[DeadLetterHeaders.Deliveries] = deliveries.ToString(CultureInfo.InvariantCulture);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(TimeSpan.FromMilliseconds(_options.PublishTimeoutMs));
            var ack = await JetStream.PublishAsync(
                _options.DeadSubjectOf(topic),
                payload,
                Raw,
                new NatsJSPubOpts { MsgId = $"{meta.Stream}:{meta.Sequence.Stream}" },
                headers,
                cts.Token).ConfigureAwait(false);
            if (ack.Error is { } error)
            {
                throw new NatsJSApiException(error);
            }

            if (topic == Model.Topics.Status)
            {
                // plain +TERM: nats-server 2.9 ignores "+TERM <reason>" (the reason is 2.10+), leaving the message pending
                await msg.AckTerminateAsync(cancellationToken: cts.Token).ConfigureAwait(false);
            }
            else
            {
                await msg.AckAsync(cancellationToken: cts.Token).ConfigureAwait(false);
            }

            TransportLog.DeadLetteredFor(_logger, topic, meta.Sequence.Stream, reason);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException)
        {
            TransportLog.DeadLetterFailed(_logger, topic, ex.Message);
            throw new TransportException($"dead-lettering of {topic}#{meta.Sequence.Stream} failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The optional cap (<see cref="NatsTransportOptions.MaxDeliver"/>): moves a message past its last allowed delivery to
    /// the dead stream; when that fails it is nak'ed and comes back later, so it is never lost nor stuck. nats-server 2.9
    /// leaves a message that exhausts its own max_deliver in a work-queue stream for ever, hence this step instead of the
    /// server's max_deliver.
    /// </summary>
    /// <remarks>Returns the message's pooled payload buffer when done.</remarks>
    internal async Task DeadLetterExhaustedAsync(string topic, INatsJSMsg<NatsMemoryOwner<byte>> msg)
    {
        var deliveries = msg.Metadata!.Value.NumDelivered - 1;
        using var payload = msg.Data;
        try
        {
            await DeadLetterAsync(topic, msg, payload.Memory, $"max_deliver: {deliveries} deliveries", deliveries, CancellationToken.None).ConfigureAwait(false);
            TransportLog.DeadLettered(_logger, topic, msg.Metadata!.Value.Sequence.Stream, (long)deliveries);
        }
        catch (TransportException)
        {
            try
            {
                await msg.NakAsync(new AckOpts { NakDelay = TimeSpan.FromSeconds(1) }).ConfigureAwait(false);
            }
            catch (NatsException nakEx)
            {
                TransportLog.SettleFailed(_logger, topic, nakEx.Message); // redelivered after the ack wait
            }
        }
    }

    // A header value is one line: no CR/LF, at most 200 characters.
    private static string HeaderSafe(string reason)
    {
        var line = reason.ReplaceLineEndings(" ");
        return line.Length <= 200 ? line : line[..200];
    }
}
