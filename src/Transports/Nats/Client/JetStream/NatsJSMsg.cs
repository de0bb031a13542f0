using SmsGateway.Transports.Nats.Client.JetStream.Internal;
using System.Text.Json;
using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Transports.Nats.Client.JetStream;

/// <summary>
/// A message pulled from a JetStream consumer. Settle it with exactly one of <see cref="AckAsync"/>, <see cref="NakAsync"/>
/// or <see cref="AckTerminateAsync"/>; <see cref="AckProgressAsync"/> extends the ack wait.
/// Acks are published to the message's reply (ack) subject: https://docs.nats.io/using-nats/developer/develop_jetstream/consumers#acknowledgement-models.
/// </summary>
/// <param name="Msg">The raw message; its <see cref="NatsMsg.Subject"/> is the subject it was originally published to.</param>
/// <param name="Metadata">Parsed from the ack subject; null if the reply subject is not an ack subject.</param>
public readonly record struct NatsJSMsg(NatsMsg Msg, NatsJSMsgMetadata? Metadata)
{
    /// <summary>Original subject.</summary>
    public string Subject => Msg.Subject;

    /// <summary>Payload.</summary>
    public ReadOnlyMemory<byte> Data => Msg.Data;

    /// <summary>Headers, or null.</summary>
    public NatsHeaders? Headers => Msg.Headers;

    /// <summary><c>+ACK</c>: done, never delivered again (removed from a work-queue stream).</summary>
    public ValueTask AckAsync(CancellationToken cancellationToken) => SendAsync(AckBodies.Ack, cancellationToken);

    /// <summary><c>-NAK</c>: deliver again, after <paramref name="delay"/> when positive (<c>-NAK {"delay": ns}</c>).</summary>
    public ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return SendAsync(AckBodies.Nak, cancellationToken);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(new NakDelay { Delay = delay }, JetStreamJsonContext.Default.NakDelay);
        var body = new byte[5 + json.Length];
        "-NAK "u8.CopyTo(body);
        json.CopyTo(body, 5);
        return SendAsync(body, cancellationToken);
    }

    /// <summary><c>+TERM</c>: never deliver again, without processing it.</summary>
    public ValueTask AckTerminateAsync(CancellationToken cancellationToken) => SendAsync(AckBodies.Term, cancellationToken);

    /// <summary><c>+WPI</c>: work in progress; restarts the ack wait.</summary>
    public ValueTask AckProgressAsync(CancellationToken cancellationToken) => SendAsync(AckBodies.Progress, cancellationToken);

    private ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (Msg.ReplyTo is null || Msg.Connection is null)
        {
            throw new InvalidOperationException("message has no ack subject");
        }

        return Msg.Connection.PublishAsync(Msg.ReplyTo, body, headers: null, replyTo: null, cancellationToken);
    }
}
