namespace SmsGateway.Billing;

/// <summary>The ledger store did not answer in time or refused the operation; the operation may not have happened.</summary>
public sealed class LedgerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerUnavailableException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
