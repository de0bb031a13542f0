using SmsGateway.Transport;
using SmsGateway.Transports.Nats.Client;
using SmsGateway.Transports.Nats.Client.JetStream;
using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Transports.Nats;

public sealed partial class NatsTransport
{
    /// <inheritdoc />
    /// <remarks>
    /// The group is a durable pull consumer named <paramref name="consumerGroup"/> on the topic's stream (ack wait =
    /// <see cref="SubscriptionOptions.AckWait"/>); all members share it. A work-queue topic accepts one group.
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
        NatsJSConsumer consumer;
        try
        {
            consumer = await JetStream.CreateOrUpdateConsumerAsync(
                stream,
                new ConsumerConfig
                {
                    DurableName = consumerGroup,
                    DeliverPolicy = ConsumerConfigDeliverPolicy.All,
                    AckPolicy = ConsumerConfigAckPolicy.Explicit,
                    AckWait = options.AckWait,
                    MaxDeliver = -1, // enforced by the transport (dead-letter), see NatsTransportOptions.MaxDeliver
                    MaxAckPending = Math.Max(_options.MaxAckPending, options.MaxInFlight),
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (NatsException ex)
        {
            throw new TransportException($"could not join group '{consumerGroup}' on {stream}: {ex.Message}", ex);
        }

        var subscription = new NatsSubscription(this, topic, consumerGroup, consumer, options);
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
    /// Moves a message that exceeded <see cref="NatsTransportOptions.MaxDeliver"/> to the dead stream (same headers plus
    /// origin and count; id <c>&lt;stream&gt;:&lt;seq&gt;</c> for de-duplication), then acks it. On failure it is nak'ed and
    /// comes back later, so it is never lost nor stuck.
    /// </summary>
    internal async Task DeadLetterAsync(string topic, NatsJSMsg msg)
    {
        try
        {
            var headers = new NatsHeaders();
            if (msg.Headers is not null)
            {
                foreach (var (k, v) in msg.Headers)
                {
                    if (!k.StartsWith("Nats-", StringComparison.Ordinal))
                    {
                        headers[k] = v;
                    }
                }
            }

            var meta = msg.Metadata!.Value;
            headers["sms-dead-topic"] = topic;
            headers["sms-dead-deliveries"] = (meta.NumDelivered - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.PublishTimeoutMs));
            var ack = await JetStream.PublishAsync(
                _options.DeadSubjectOf(topic),
                msg.Data,
                headers,
                $"{meta.Stream}:{meta.StreamSequence}",
                TimeSpan.FromMilliseconds(_options.PublishTimeoutMs),
                cts.Token).ConfigureAwait(false);
            ack.EnsureSuccess();
            await msg.AckAsync(cts.Token).ConfigureAwait(false);
            TransportLog.DeadLettered(_logger, topic, meta.StreamSequence, meta.NumDelivered - 1);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException)
        {
            TransportLog.DeadLetterFailed(_logger, topic, ex.Message);
            try
            {
                await msg.NakAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // redelivered after the ack wait
            }
        }
    }
}
