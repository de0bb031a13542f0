using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka.Consuming;
using SmsGateway.Transports.Kafka.Producing;

namespace SmsGateway.Transports.Kafka;

/// <summary>
/// <see cref="IMessageTransport"/> over Apache Kafka (Confluent.Kafka 2.16; librdkafka 2.16 from the <c>librdkafka.redist</c> package).
/// </summary>
/// <remarks>
/// <para>Publish: idempotent producer with <c>acks=all</c>; <see cref="PublishAsync"/> completes on the broker's delivery
/// report. <c>sms-express</c> uses its own producer with <see cref="KafkaTransportOptions.ExpressLingerMs"/>; the other
/// topics share one with <see cref="KafkaTransportOptions.LingerMs"/>. The record key is the publisher's key (user id),
/// so one user's messages keep their order in one partition.</para>
/// <para>Subscribe: one Kafka consumer per subscription, run by a dedicated thread; see <see cref="SubscribeAsync"/>.</para>
/// <para>Thread-safe. Dispose stops every subscription (committing acknowledged offsets, then <c>Close()</c> and
/// <c>Dispose()</c>) and flushes the producers for up to <see cref="KafkaTransportOptions.PublishTimeoutMs"/>.</para>
/// </remarks>
public sealed partial class KafkaTransport : IMessageTransport, IBrokerProbe
{
    private readonly KafkaTransportOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ProducerSlot _express;
    private readonly ProducerSlot _normal;
    private readonly ConcurrentDictionary<KafkaSubscription, byte> _subscriptions = new();
    private int _disposed;

    /// <summary>Creates the transport; producers and consumers connect lazily.</summary>
    /// <param name="options">Validated here; copied by reference (records are immutable).</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public KafkaTransport(KafkaTransportOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<KafkaTransport>();
        _express = new ProducerSlot(options, options.ExpressLingerMs, _logger);
        _normal = new ProducerSlot(options, options.LingerMs, _logger);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Headers: every <see cref="OutgoingMessage.Headers"/> entry as a UTF-8 header, plus <see cref="KafkaHeaders.MessageId"/>
    /// when <see cref="OutgoingMessage.MessageId"/> is set. Fails with <see cref="TransportException"/> when the broker
    /// refuses the record, when it is not confirmed within <see cref="KafkaTransportOptions.PublishTimeoutMs"/>, or at
    /// once when the local producer queue (<see cref="KafkaTransportOptions.ProducerQueueMaxMessages"/>) is full.
    /// </remarks>
    public async ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var kafkaTopic = _options.KafkaTopic(topic);
        var record = new Message<string, byte[]>
        {
            Key = message.Key,
            Value = ToArray(message.Payload),
            Headers = ToHeaders(message),
        };
        var producer = (topic == Topics.Express ? _express : _normal).Get();
        // Confluent.Kafka produces the record whatever the token and cancels only the wait for its delivery report; a
        // deadline already past must store nothing (IMessageTransport).
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // message.timeout.ms (= PublishTimeoutMs) bounds the wait, retries included, also with every broker gone
            // (librdkafka 2.16; 2.0.2 overran it, see docs/kafka.md "Removed workarounds").
            await producer.ProduceAsync(kafkaTopic, record, cancellationToken).ConfigureAwait(false);
        }
        catch (ProduceException<string, byte[]> e)
        {
            throw new TransportException(Describe(kafkaTopic, e.Error), e);
        }
        catch (KafkaException e)
        {
            throw new TransportException(Describe(kafkaTopic, e.Error), e);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>The Kafka group id is <see cref="KafkaTransportOptions.GroupIdPrefix"/> + <paramref name="consumerGroup"/>.
    /// A dedicated thread consumes and writes deliveries to a channel of capacity <see cref="SubscriptionOptions.MaxInFlight"/>;
    /// when that many deliveries are unacknowledged, the assigned partitions are paused until acks free room.</para>
    /// <para>Offsets are committed every <see cref="KafkaTransportOptions.CommitIntervalMs"/>, on revoke and on dispose,
    /// never past the lowest unacknowledged offset of a partition. Nak keeps the message uncommitted and delivers it again
    /// from this member after the delay; a delivery unacknowledged for <see cref="SubscriptionOptions.AckWait"/> is delivered
    /// again too. On revoke, deliveries of revoked partitions still queued are dropped (the new owner gets them).</para>
    /// <para>The channel completes with a <see cref="TransportException"/> on a fatal consumer error.</para>
    /// </remarks>
    public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(consumerGroup);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        KafkaSubscription subscription;
        try
        {
            subscription = KafkaSubscription.Start(
                _options, topic, consumerGroup, options, _loggerFactory.CreateLogger<KafkaSubscription>(), s => _subscriptions.TryRemove(s, out _));
        }
        catch (KafkaException e)
        {
            throw new TransportException($"Kafka subscription to '{_options.KafkaTopic(topic)}' for group '{consumerGroup}' failed: {e.Error.Code} {e.Error.Reason}", e);
        }
        catch (ArgumentException e)
        {
            throw new TransportException($"Kafka subscription to '{_options.KafkaTopic(topic)}' for group '{consumerGroup}' failed: {e.Message}", e);
        }

        subscription.DeadLetterSink = DeadLetterAsync;
        _subscriptions.TryAdd(subscription, 0);
        return ValueTask.FromResult<IMessageSubscription>(subscription);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var subscription in _subscriptions.Keys)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }

        await Task.Run(() =>
        {
            _express.Dispose();
            _normal.Dispose();
        }).ConfigureAwait(false);
    }

    private static string Describe(string topic, Error error) =>
        error.Code == ErrorCode.Local_MsgTimedOut
            ? $"Kafka did not confirm the message on topic '{topic}' in time (broker unreachable or slow): {error.Reason}"
            : $"Kafka refused the message on topic '{topic}': {error.Code} {error.Reason}{(error.IsFatal ? " (fatal)" : string.Empty)}";

    private static byte[] ToArray(ReadOnlyMemory<byte> payload) =>
        MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : payload.ToArray();

    private static Headers? ToHeaders(in OutgoingMessage message)
    {
        if (message.MessageId is null && (message.Headers is null || message.Headers.Count == 0))
        {
            return null;
        }

        var headers = new Headers();
        if (message.Headers is not null)
        {
            foreach (var (name, value) in message.Headers)
            {
                headers.Add(name, Encoding.UTF8.GetBytes(value));
            }
        }

        if (message.MessageId is not null)
        {
            headers.Add(KafkaHeaders.MessageId, Encoding.UTF8.GetBytes(message.MessageId));
        }

        return headers;
    }
}
