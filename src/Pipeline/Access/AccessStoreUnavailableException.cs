namespace SmsGateway.Access;

/// <summary>The key and limit store could not be reached in time. The message may name servers: log it, never answer with it.</summary>
public sealed class AccessStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AccessStoreUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
