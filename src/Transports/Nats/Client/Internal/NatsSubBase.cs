namespace SmsGateway.Transports.Nats.Client.Internal;

/// <summary>
/// A subscription as the connection sees it: messages are routed to it by sid (never by subject: JetStream pulled
/// messages keep their original subject).
/// </summary>
internal abstract class NatsSubBase
{
    protected NatsSubBase(string subject, string? queueGroup, long sid)
    {
        Subject = subject;
        QueueGroup = queueGroup;
        Sid = sid;
    }

    /// <summary>Subject (may contain wildcards).</summary>
    public string Subject { get; }

    /// <summary>Queue group, or null.</summary>
    public string? QueueGroup { get; }

    /// <summary>Subscription id on this connection.</summary>
    public long Sid { get; }

    /// <summary>Called on the read loop for each message. MUST NOT block or throw.</summary>
    public abstract void OnMessage(in NatsMsg msg);

    /// <summary>Called (on a pool thread) after the connection was re-established and SUBs were re-sent.</summary>
    public virtual void OnReconnected()
    {
    }

    /// <summary>Called when the connection is lost (before reconnecting).</summary>
    public virtual void OnDisconnected()
    {
    }

    /// <summary>Called once when the connection is disposed or gives up.</summary>
    public virtual void OnClosed(Exception? error)
    {
    }
}
