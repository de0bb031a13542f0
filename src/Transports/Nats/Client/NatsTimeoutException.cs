namespace SmsGateway.Transports.Nats.Client;

/// <summary>A request or handshake got no answer in time.</summary>
public sealed class NatsTimeoutException : NatsException
{
    /// <summary>Creates the exception.</summary>
    public NatsTimeoutException(string message) : base(message)
    {
    }
}
