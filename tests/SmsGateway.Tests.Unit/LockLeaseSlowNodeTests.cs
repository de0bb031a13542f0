using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Locking;

namespace SmsGateway.Tests.Unit;

/// <summary>
/// <see cref="LockLeases"/> over lock calls that hang, as they do while a lock node or the ledger node (which issues the
/// fencing tokens) is frozen: the calls in flight cannot be cancelled and end only at their own timeouts
/// (docs/architecture.md "Redis calls that fail").
/// </summary>
public sealed class LockLeaseSlowNodeTests
{
    private const string User = "user:slow";

    private static readonly PipelineOptions Options = LockLeaseTests.Options;

    [Fact(Timeout = 30_000)]
    public async Task A_use_whose_deadline_passes_during_the_acquisition_is_answered_then_and_the_late_grant_serves_the_next_use()
    {
        var locks = new StalledLocks(new InMemoryLockFactory()) { Acquisitions = new TaskCompletionSource() };
        await using var leases = new LockLeases(locks, Options, TimeProvider.System, NullLogger.Instance);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        // Answered at the deadline while the acquisition still hangs (before, the caller waited for it).
        await Assert.ThrowsAsync<LockAcquisitionCancelledException>(async () => await leases.UseAsync(User, deadline.Token));
        Assert.Equal(1, locks.Started);
        Assert.False(locks.Acquisitions.Task.IsCompleted);

        // The next use waits for that acquisition's outcome, then uses its grant: one lock round for both.
        var next = leases.UseAsync(User, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        locks.Acquisitions.SetResult();
        await using (var lease = await next)
        {
            Assert.True(lease.IsAcquired, lease.Status.ToString());
            Assert.False(lease.IsNewGrant);
        }

        Assert.Equal(1, locks.Started);
        Assert.Equal(1, leases.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_late_acquisition_that_won_nothing_leaves_nothing_kept_and_the_next_use_asks_again()
    {
        var inner = new InMemoryLockFactory();
        var locks = new StalledLocks(inner) { Acquisitions = new TaskCompletionSource() };
        await using var leases = new LockLeases(locks, Options, TimeProvider.System, NullLogger.Instance);
        await using var other = await inner.CreateLockAsync(User, TimeSpan.FromSeconds(60), TimeSpan.Zero, TimeSpan.FromMilliseconds(1), CancellationToken.None);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await leases.UseAsync(User, deadline.Token));
        locks.Acquisitions.SetResult(); // ends Conflicted: another holder has the user
        while (locks.Finished < 1)
        {
            await Task.Delay(5);
        }

        await other.DisposeAsync();
        await using var lease = await leases.UseAsync(User, CancellationToken.None);
        Assert.True(lease.IsAcquired, lease.Status.ToString());
        Assert.True(lease.IsNewGrant);
        Assert.Equal(2, locks.Started);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_cut_acquisition_reports_how_long_the_use_waited_in_this_process_first()
    {
        // The accept stage judges the lock nodes by what they were given (AcceptStage.LockWithinAsync): a use that waited
        // at the user's gate behind a late acquisition, then had its own acquisition cut, reports that wait.
        var inner = new InMemoryLockFactory();
        var locks = new StalledLocks(inner) { Acquisitions = new TaskCompletionSource() };
        await using var leases = new LockLeases(locks, Options, TimeProvider.System, NullLogger.Instance);
        await using var other = await inner.CreateLockAsync(User, TimeSpan.FromSeconds(60), TimeSpan.Zero, TimeSpan.FromMilliseconds(1), CancellationToken.None);
        using (var first = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            var cut = await Assert.ThrowsAsync<LockAcquisitionCancelledException>(async () => await leases.UseAsync(User, first.Token));
            Assert.True(cut.WaitedBeforeAcquisition < TimeSpan.FromMilliseconds(50), cut.WaitedBeforeAcquisition.ToString());
        }

        using var second = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var waiting = leases.UseAsync(User, second.Token).AsTask(); // at the gate, behind the first use's acquisition
        await Task.Delay(300);
        var firstGate = locks.Acquisitions;
        locks.Acquisitions = new TaskCompletionSource(); // the second use's own acquisition hangs
        firstGate.SetResult(); // the first acquisition ends Conflicted (another holder): nothing kept, the gate opens
        var secondCut = await Assert.ThrowsAsync<LockAcquisitionCancelledException>(() => waiting);
        Assert.True(secondCut.WaitedBeforeAcquisition >= TimeSpan.FromMilliseconds(250), secondCut.WaitedBeforeAcquisition.ToString());
        locks.Acquisitions.SetResult();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_use_cut_while_waiting_for_the_previous_one_is_not_reported_as_a_cut_acquisition()
    {
        var locks = new StalledLocks(new InMemoryLockFactory());
        await using var leases = new LockLeases(locks, Options, TimeProvider.System, NullLogger.Instance);
        await using var holding = await leases.UseAsync(User, CancellationToken.None); // not ended: holds the gate
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var cut = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await leases.UseAsync(User, deadline.Token));
        Assert.IsNotType<LockAcquisitionCancelledException>(cut);
        Assert.Equal(1, locks.Started);
    }

    [Fact(Timeout = 30_000)]
    public async Task Idle_grants_are_released_together_not_one_after_another()
    {
        // Each release hangs as one to a frozen node does. In sequence, the grants behind the first were kept past half their
        // expiry, where RedLock.net's synchronous extension blocked pool threads.
        var locks = new StalledLocks(new InMemoryLockFactory());
        await using var leases = new LockLeases(locks, Options with { LockLeaseIdle = TimeSpan.FromMilliseconds(40) }, TimeProvider.System, NullLogger.Instance);
        string[] users = ["user:a", "user:b", "user:c"];
        foreach (var user in users)
        {
            await using var lease = await leases.UseAsync(user, CancellationToken.None);
        }

        locks.Releases = new TaskCompletionSource();
        while (locks.ReleasesStarted < users.Length)
        {
            await Task.Delay(5); // a sweep that released one at a time never gets here: the test times out
        }

        locks.Releases.SetResult();
        while (leases.Count > 0)
        {
            await Task.Delay(5);
        }
    }

    /// <summary>Lock calls that hang until the test lets them go, like calls to a frozen node: not cancellable once sent.</summary>
    private sealed class StalledLocks(IDistributedLockFactory inner) : IDistributedLockFactory
    {
        private int _started;
        private int _finished;
        private int _releasesStarted;

        /// <summary>When set, each acquisition waits for it (ignoring the caller's token); read when the acquisition starts.</summary>
        public TaskCompletionSource? Acquisitions { get; set; }

        /// <summary>When set, each release waits for it.</summary>
        public TaskCompletionSource? Releases { get; set; }

        public int Started => Volatile.Read(ref _started);

        public int Finished => Volatile.Read(ref _finished);

        public int ReleasesStarted => Volatile.Read(ref _releasesStarted);

        public async Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _started);
            if (Acquisitions is { } gate)
            {
                await gate.Task;
            }

            // One try, no waiting: a holder elsewhere makes it Conflicted at once.
            var grant = new StalledGrant(await inner.CreateLockAsync(resource, expiry, TimeSpan.Zero, retry, CancellationToken.None), this);
            Interlocked.Increment(ref _finished);
            return grant;
        }

        private sealed class StalledGrant(IDistributedLock grant, StalledLocks owner) : IDistributedLock
        {
            public string Resource => grant.Resource;

            public string LockId => grant.LockId;

            public bool IsAcquired => grant.IsAcquired;

            public DistributedLockStatus Status => grant.Status;

            public long FencingToken => grant.FencingToken;

            public DateTimeOffset ValidUntil => grant.ValidUntil;

            public bool IsValidFor(TimeSpan duration) => grant.IsValidFor(duration);

            public async ValueTask DisposeAsync()
            {
                if (grant.IsAcquired && owner.Releases is { } gate)
                {
                    Interlocked.Increment(ref owner._releasesStarted);
                    await gate.Task;
                }

                await grant.DisposeAsync();
            }
        }
    }
}
