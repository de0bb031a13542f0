namespace SmsGateway.Routing;

/// <summary><c>operator.json</c> is missing, malformed or inconsistent. The message names the field.</summary>
public sealed class OperatorTableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OperatorTableException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
