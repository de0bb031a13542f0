namespace SmsGateway.Locking;

/// <summary>
/// One use of a <see cref="LockLeases"/> grant: the fencing token to send with the fenced write, and whether the grant is
/// still held. Disposing ends the use (the next use of the resource may start), not the grant, which the lease keeps.
/// </summary>
/// <remarks>Not thread-safe: one use belongs to one caller. Dispose exactly once.</remarks>
public sealed class LockLease : IAsyncDisposable
{
    private readonly LockLeases _owner;
    private readonly LockLeases.Entry? _entry;
    private readonly IDistributedLock? _grant;
    private readonly DistributedLockStatus _failed;
    private int _ended;

    internal LockLease(LockLeases owner, LockLeases.Entry? entry, IDistributedLock? grant, DistributedLockStatus status, bool acquired, bool waitedOut = false)
    {
        _owner = owner;
        _entry = entry;
        _grant = grant;
        _failed = status;
        IsNewGrant = acquired;
        WaitedOutInProcess = waitedOut;
    }

    /// <summary>True while the grant is held (read live from the grant: a loss since the use started shows here).</summary>
    public bool IsAcquired => _grant?.IsAcquired ?? false;

    /// <summary>The grant's status now, or why no grant was obtained.</summary>
    public DistributedLockStatus Status => _grant?.Status ?? _failed;

    /// <summary>The grant's fencing token (the same for every use of one grant); 0 without a grant.</summary>
    public long FencingToken => _grant?.FencingToken ?? 0;

    /// <summary>
    /// True when this use acquired a new grant from the lock nodes (evidence of a quorum now); false when it reused the kept
    /// grant or got none.
    /// </summary>
    public bool IsNewGrant { get; }

    /// <summary>
    /// True when no grant was asked for: another use of the resource in this process (a batch of the same user, or an
    /// acquisition still running after its caller's deadline) kept it past <see cref="PipelineOptions.LockWait"/>. That is
    /// contention in this process, not an answer of the lock nodes; <see cref="Status"/> is then
    /// <see cref="DistributedLockStatus.Conflicted"/>.
    /// </summary>
    public bool WaitedOutInProcess { get; }

    /// <summary>True once <see cref="Discard"/> was called.</summary>
    public bool Discarded { get; private set; }

    /// <summary>
    /// The fenced write rejected this grant's token (a newer holder wrote meanwhile): the grant is released when this use
    /// ends, so the next use acquires a new one instead of reusing a token the store already refuses.
    /// </summary>
    public void Discard() => Discarded = true;

    /// <summary>Ends the use; the grant stays kept unless the lease's rules release it (<see cref="LockLeases"/>).</summary>
    public ValueTask DisposeAsync() =>
        _entry is null || Interlocked.Exchange(ref _ended, 1) != 0 ? ValueTask.CompletedTask : _owner.EndAsync(_entry, Discarded);
}
