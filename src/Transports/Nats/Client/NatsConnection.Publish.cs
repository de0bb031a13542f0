using SmsGateway.Transports.Nats.Client.Internal;

namespace SmsGateway.Transports.Nats.Client;

public sealed partial class NatsConnection
{
    /// <summary>Publishes <paramref name="data"/> to <paramref name="subject"/> (PUB, or HPUB with headers).</summary>
    /// <remarks>
    /// Core NATS is at-most-once: completion means the bytes were queued for the socket, not that anyone received them.
    /// Waits while reconnecting and while the write buffer is full.
    /// </remarks>
    /// <exception cref="NatsPayloadTooLargeException">Headers + payload exceed the server's max_payload.</exception>
    /// <exception cref="ArgumentException">Empty subject or one containing whitespace.</exception>
    public ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> data, NatsHeaders? headers, string? replyTo, CancellationToken cancellationToken)
    {
        ValidateSubject(subject);
        if (replyTo is not null)
        {
            ValidateSubject(replyTo);
        }

        CheckPayloadSize(data.Length, headers);
        return WriteAsync(
            (subject, replyTo, headers, data),
            static (w, in s) => ProtocolWriter.WritePublish(w, s.subject, new ProtocolWriter.ReplyTo(s.replyTo), s.headers, s.data.Span),
            cancellationToken);
    }

    /// <summary>Publishes <paramref name="data"/> to <paramref name="subject"/> without headers or reply subject.</summary>
    public ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        PublishAsync(subject, data, headers: null, replyTo: null, cancellationToken);

    /// <exception cref="NatsPayloadTooLargeException">Headers + payload exceed the server's max_payload.</exception>
    private void CheckPayloadSize(int dataLength, NatsHeaders? headers)
    {
        var size = dataLength + (headers is null ? 0 : ProtocolWriter.HeaderSize(headers));
        var max = _info?.MaxPayload ?? long.MaxValue;
        if (size > max)
        {
            throw new NatsPayloadTooLargeException(size, max);
        }
    }

    private static void ValidateSubject(string subject)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        foreach (var c in subject)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                throw new ArgumentException($"subject '{subject}' contains whitespace", nameof(subject));
            }
        }
    }
}
