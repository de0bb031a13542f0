namespace SmsGateway.Transport;

/// <summary>A broker operation failed: the broker refused it, was unreachable, or did not confirm it in time.</summary>
public class TransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransportException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
