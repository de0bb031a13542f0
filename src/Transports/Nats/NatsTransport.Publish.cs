using System.Diagnostics;
using Microsoft.Extensions.Primitives;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

public sealed partial class NatsTransport
{
    private static readonly NatsRawSerializer<ReadOnlyMemory<byte>> Raw = NatsRawSerializer<ReadOnlyMemory<byte>>.Default;

    /// <inheritdoc />
    /// <remarks>
    /// Headers: the message's headers as given (for example <c>traceparent</c>), plus <c>sms-key</c> (the key) and
    /// <c>Nats-Msg-Id</c> (the message id, when given; the stream drops a repeat within
    /// <see cref="NatsTransportOptions.DuplicateWindow"/> and acks it as a duplicate, which counts as success). Many
    /// publishes may be in flight at once from any threads; each awaits its own PubAck on the connection's shared reply
    /// inbox. A publish that times out or loses the connection is retried with the same id until the publish timeout;
    /// one without an id is retried only while the stream has no responder (server restarting), since a retry after a
    /// timeout could store it twice.
    /// </remarks>
    public async ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken)
    {
        string? subject;
        try
        {
            if (topic is null || !_subjects.TryGetValue(topic, out subject))
            {
                subject = _options.SubjectOf(topic!); // not one of Topics.All: builds it or throws the ArgumentException below
            }
        }
        catch (ArgumentException ex)
        {
            throw new TransportException(ex.Message, ex);
        }

        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        // case-sensitive like NatsOpts.CaseSensitiveHeaders on the receiving side: names pass through as given
        var headers = new NatsHeaders(new Dictionary<string, StringValues>((message.Headers?.Count ?? 0) + 2, StringComparer.Ordinal))
        {
            [KeyHeader] = message.Key ?? string.Empty,
        };
        if (message.Headers is not null)
        {
            foreach (var (k, v) in message.Headers)
            {
                headers[k] = v;
            }
        }

        // NATS.Net writes the message before it looks at the token; a deadline already past must store nothing (IMessageTransport).
        cancellationToken.ThrowIfCancellationRequested();
        var opts = message.MessageId is null ? _noIdPubOpts : new NatsJSPubOpts { MsgId = message.MessageId };
        var timeout = TimeSpan.FromMilliseconds(_options.PublishTimeoutMs);
        var started = Stopwatch.GetTimestamp();
        var attempt = 0;
        while (true)
        {
            attempt++;
            try
            {
                var ack = await JetStream.PublishAsync(subject, message.Payload, Raw, opts, headers, cancellationToken).ConfigureAwait(false);
                if (ack.Error is { } error)
                {
                    throw new TransportException($"publish to {subject} refused: {error.Code}/{error.ErrCode} {error.Description}");
                }

                return;
            }
            catch (NatsException ex) when (ex is not NatsJSApiException)
            {
                // Timeout or connection loss: the message may be stored; retrying with the same id cannot store it twice.
                if (message.MessageId is null || Stopwatch.GetElapsedTime(started) >= timeout)
                {
                    throw new TransportException($"publish to {subject} not confirmed: {ex.Message}", ex);
                }

                TransportLog.PublishRetry(_logger, subject, attempt, ex.Message);
                await Task.Delay(Math.Min(10 * attempt, 200), cancellationToken).ConfigureAwait(false);
            }
            catch (NatsJSApiException ex)
            {
                throw new TransportException($"publish to {subject} refused: {ex.Message}", ex);
            }
        }
    }
}
