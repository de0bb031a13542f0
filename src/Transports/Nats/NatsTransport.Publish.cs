using System.Diagnostics;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats.Client;

namespace SmsGateway.Transports.Nats;

public sealed partial class NatsTransport
{
    /// <inheritdoc />
    /// <remarks>
    /// Headers: the message's headers plus <c>sms-key</c> (the key) and <c>Nats-Msg-Id</c> (the message id, when given).
    /// A publish that times out or loses the connection is retried with the same id until the publish timeout.
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
        var headers = new NatsHeaders { [KeyHeader] = message.Key ?? string.Empty };
        if (message.Headers is not null)
        {
            foreach (var (k, v) in message.Headers)
            {
                headers[k] = v;
            }
        }

        var timeout = TimeSpan.FromMilliseconds(_options.PublishTimeoutMs);
        var started = Stopwatch.GetTimestamp();
        var attempt = 0;
        while (true)
        {
            attempt++;
            var left = timeout - Stopwatch.GetElapsedTime(started);
            try
            {
                if (left <= TimeSpan.Zero)
                {
                    throw new NatsTimeoutException($"no PubAck within {_options.PublishTimeoutMs} ms");
                }

                var attemptTimeout = left < _attemptTimeout ? left : _attemptTimeout;
                var ack = await JetStream.PublishAsync(subject, message.Payload, headers, message.MessageId, attemptTimeout, cancellationToken).ConfigureAwait(false);
                ack.EnsureSuccess();
                return;
            }
            catch (NatsException ex) when (ex is NatsTimeoutException or NatsNoRespondersException || ex.GetType() == typeof(NatsException))
            {
                // Timeout or connection loss: the message may be stored; retrying with the same id cannot store it twice.
                // No responders: the stream is briefly unavailable (server restarting). Without an id, retrying could duplicate:
                // allowed (at-least-once), but reported after the first timeout instead.
                var canRetry = message.MessageId is not null || ex is NatsNoRespondersException;
                if (!canRetry || Stopwatch.GetElapsedTime(started) >= timeout)
                {
                    throw new TransportException($"publish to {subject} not confirmed: {ex.Message}", ex);
                }

                TransportLog.PublishRetry(_logger, subject, attempt, ex.Message);
                await Task.Delay(Math.Min(10 * attempt, 200), cancellationToken).ConfigureAwait(false);
            }
            catch (NatsException ex)
            {
                throw new TransportException($"publish to {subject} refused: {ex.Message}", ex);
            }
        }
    }
}
