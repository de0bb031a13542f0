namespace SmsGateway.Transports.Nats.Client;

/// <summary>A received message (MSG/HMSG). The payload is owned by the message (copied off the socket buffer).</summary>
/// <param name="Subject">Subject it was published to.</param>
/// <param name="ReplyTo">Reply subject, or null.</param>
/// <param name="Headers">Headers, or null when sent without.</param>
/// <param name="Data">Payload bytes.</param>
/// <param name="Connection">The connection it arrived on (for <see cref="ReplyAsync"/>).</param>
public readonly record struct NatsMsg(string Subject, string? ReplyTo, NatsHeaders? Headers, ReadOnlyMemory<byte> Data, NatsConnection? Connection)
{
    /// <summary>Publishes <paramref name="data"/> to <see cref="ReplyTo"/>.</summary>
    /// <exception cref="InvalidOperationException">The message has no reply subject.</exception>
    public ValueTask ReplyAsync(ReadOnlyMemory<byte> data, NatsHeaders? headers, CancellationToken cancellationToken)
    {
        if (ReplyTo is null || Connection is null)
        {
            throw new InvalidOperationException("message has no reply subject");
        }

        return Connection.PublishAsync(ReplyTo, data, headers, replyTo: null, cancellationToken);
    }
}
