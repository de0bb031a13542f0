namespace SmsGateway.Transports.Nats.Client;

/// <summary>Root of the NATS client's exceptions.</summary>
public class NatsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NatsException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
