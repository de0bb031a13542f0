namespace SmsGateway.Scheduling;

/// <summary>The schedule store failed; the operation may be retried.</summary>
public sealed class ScheduleStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScheduleStoreUnavailableException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
