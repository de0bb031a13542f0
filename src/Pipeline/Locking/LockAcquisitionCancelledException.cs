namespace SmsGateway.Locking;

/// <summary>
/// Thrown by <see cref="LockLeases.UseAsync"/> when the caller's token fired while a new grant was being acquired from the
/// lock factory, as opposed to while the use waited in this process. The acquisition goes on in the background, and a
/// grant it wins is kept for the resource's next use.
/// </summary>
public sealed class LockAcquisitionCancelledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="waitedBeforeAcquisition">How long the use waited in this process before it asked the factory, ms precision.</param>
    /// <param name="innerException">The cancellation as the wait for the acquisition saw it.</param>
    /// <param name="token">The caller's token.</param>
    public LockAcquisitionCancelledException(TimeSpan waitedBeforeAcquisition, Exception innerException, CancellationToken token)
        : base("the lock acquisition was still running when the caller's token fired", innerException, token)
    {
        WaitedBeforeAcquisition = waitedBeforeAcquisition;
    }

    /// <summary>
    /// Time the use spent in this process before it asked the lock factory: waiting for the resource's previous use, the
    /// release of a grant past its hold, a hand-over pause. The factory had only what was left of the caller's wait.
    /// </summary>
    public TimeSpan WaitedBeforeAcquisition { get; }
}
