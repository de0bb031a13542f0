namespace SmsGateway.Locking;

/// <summary>
/// Thrown by <see cref="LockLeases.UseAsync"/> when the caller's token fired while a new grant was being acquired from the
/// lock factory, as opposed to while the use waited in this process. The acquisition goes on in the background, and a
/// grant it wins is kept for the resource's next use; <see cref="Outcome"/> says how it ended.
/// </summary>
public sealed class LockAcquisitionCancelledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="waitedBeforeAcquisition">How long the use waited in this process before it asked the factory, ms precision.</param>
    /// <param name="outcome">The acquisition's status when it ends (see <see cref="Outcome"/>).</param>
    /// <param name="innerException">The cancellation as the wait for the acquisition saw it.</param>
    /// <param name="token">The caller's token.</param>
    public LockAcquisitionCancelledException(TimeSpan waitedBeforeAcquisition, Task<DistributedLockStatus?> outcome, Exception innerException, CancellationToken token)
        : base("the lock acquisition was still running when the caller's token fired", innerException, token)
    {
        WaitedBeforeAcquisition = waitedBeforeAcquisition;
        Outcome = outcome ?? throw new ArgumentNullException(nameof(outcome));
    }

    /// <summary>
    /// Time the use spent in this process before it asked the lock factory: waiting for the resource's previous use, the
    /// release of a grant past its hold, a hand-over pause. The factory had only what was left of the caller's wait.
    /// </summary>
    public TimeSpan WaitedBeforeAcquisition { get; }

    /// <summary>
    /// Completes when the acquisition that was cut off ends: <see cref="DistributedLockStatus.Acquired"/> when the lock nodes
    /// granted it (late), its failed status (e.g. <see cref="DistributedLockStatus.NoQuorum"/>) otherwise, or null when the
    /// factory threw (logged by <see cref="LockLeases"/>, event 7403 or 7404). Never faults. This is what the lock nodes
    /// answered, which the caller's deadline did not wait for (docs/architecture.md "User lock lease").
    /// </summary>
    public Task<DistributedLockStatus?> Outcome { get; }
}
