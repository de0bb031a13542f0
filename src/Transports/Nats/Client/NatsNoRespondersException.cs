namespace SmsGateway.Transports.Nats.Client;

/// <summary>A request found no subscriber on its subject (status 503 reply, enabled by CONNECT <c>no_responders</c>).</summary>
public sealed class NatsNoRespondersException : NatsException
{
    /// <summary>Creates the exception for <paramref name="subject"/>.</summary>
    public NatsNoRespondersException(string subject) : base($"no responders on '{subject}'") => Subject = subject;

    /// <summary>Subject of the request.</summary>
    public string Subject { get; }
}
