using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Locking;

namespace SmsGateway.Tests.Unit;

/// <summary>Issue 15: a user's lock lease kept across accept batches (<see cref="LockLeases"/>) over the in-memory lock.</summary>
public sealed class LockLeaseTests
{
    private const string User = "user:lease";

    // Idle and hold far beyond the test's own duration unless a test is about them (LockLeaseSlowNodeTests uses them too).
    internal static readonly PipelineOptions Options = new()
    {
        LockLeaseIdle = TimeSpan.FromSeconds(30),
        LockLeaseMaxHold = TimeSpan.FromSeconds(30),
        LockExpiry = TimeSpan.FromSeconds(60),
        LockWait = TimeSpan.FromSeconds(5),
    };

    [Fact(Timeout = 30_000)]
    public async Task Later_uses_reuse_the_first_grant_and_its_fencing_token()
    {
        var locks = new CountingLocks(new InMemoryLockFactory());
        await using var leases = new LockLeases(locks, Options, TimeProvider.System, NullLogger.Instance);

        var tokens = new List<long>();
        var fresh = new List<bool>();
        for (int i = 0; i < 10; i++)
        {
            await using var lease = await leases.UseAsync(User, CancellationToken.None);
            Assert.True(lease.IsAcquired, lease.Status.ToString());
            tokens.Add(lease.FencingToken);
            fresh.Add(lease.IsNewGrant);
        }

        Assert.Equal(1, locks.Acquired);
        Assert.Single(tokens.Distinct());
        Assert.Equal([true, false, false, false, false, false, false, false, false, false], fresh);
        Assert.Equal(1, leases.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task Uses_of_one_user_run_one_at_a_time()
    {
        var locks = new CountingLocks(new InMemoryLockFactory());
        await using var leases = new LockLeases(locks, Options, TimeProvider.System, NullLogger.Instance);
        int inside = 0, most = 0;

        async Task UseAsync()
        {
            await using var lease = await leases.UseAsync(User, CancellationToken.None);
            Assert.True(lease.IsAcquired);
            int now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            await Task.Delay(2);
            Interlocked.Decrement(ref inside);
        }

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(UseAsync)));
        Assert.Equal(1, most);
        Assert.Equal(1, locks.Acquired);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_idle_lease_is_released_and_another_holder_gets_the_lock()
    {
        var factory = new InMemoryLockFactory();
        var options = Options with { LockLeaseIdle = TimeSpan.FromMilliseconds(50) };
        await using var leases = new LockLeases(factory, options, TimeProvider.System, NullLogger.Instance);
        long token;
        await using (var lease = await leases.UseAsync(User, CancellationToken.None))
        {
            token = lease.FencingToken;
        }

        // Held right after the use (the lock expiry is 60 s, so only the lease's release can free it).
        await using (var denied = await factory.CreateLockAsync(User, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromMilliseconds(1), CancellationToken.None))
        {
            Assert.False(denied.IsAcquired);
        }

        await WaitUntilAsync(() => leases.Count == 0);
        await using var other = await factory.CreateLockAsync(User, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.True(other.IsAcquired, other.Status.ToString());
        Assert.True(other.FencingToken > token);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_lease_held_past_its_maximum_is_released_so_another_gateway_gets_the_user_while_traffic_flows()
    {
        var factory = new InMemoryLockFactory(); // shared by two "gateways", as the Redis nodes are by two processes
        var options = Options with { LockLeaseMaxHold = TimeSpan.FromMilliseconds(100) };
        await using var first = new LockLeases(factory, options, TimeProvider.System, NullLogger.Instance);
        await using var second = new LockLeases(factory, options, TimeProvider.System, NullLogger.Instance);
        long firstToken;
        await using (var lease = await first.UseAsync(User, CancellationToken.None))
        {
            firstToken = lease.FencingToken;
        }

        // The first gateway keeps using the user back to back; the second one asks once meanwhile and must get it.
        using var stop = new CancellationTokenSource();
        var busy = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var lease = await first.UseAsync(User, CancellationToken.None);
                await Task.Delay(1);
            }
        });

        await using (var taken = await second.UseAsync(User, CancellationToken.None))
        {
            Assert.True(taken.IsAcquired, taken.Status.ToString());
            Assert.True(taken.FencingToken > firstToken);
        }

        await stop.CancelAsync();
        await busy;
    }

    [Fact(Timeout = 30_000)]
    public async Task A_lost_lease_is_never_handed_out_it_is_reported_and_replaced_by_a_new_grant()
    {
        var locks = new CountingLocks(new InMemoryLockFactory());
        var log = new EventLog();
        var metrics = new PipelineMetrics();
        await using var leases = new LockLeases(locks, Options, TimeProvider.System, log, metrics);
        long token;
        await using (var lease = await leases.UseAsync(User, CancellationToken.None))
        {
            token = lease.FencingToken;
        }

        locks.Last!.Lose(); // extension failed / validity ran out while kept
        await using (var lease = await leases.UseAsync(User, CancellationToken.None))
        {
            Assert.True(lease.IsAcquired);
            Assert.True(lease.IsNewGrant);
            Assert.True(lease.FencingToken > token);
        }

        Assert.Equal(2, locks.Acquired);
        Assert.Contains(7400, log.EventIds);
        Assert.True(locks.First!.Disposed);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_token_the_ledger_refused_is_discarded_and_the_next_batch_gets_a_newer_one()
    {
        var factory = new InMemoryLockFactory();
        var ledger = new InMemoryBalanceLedger();
        await ledger.ChargeAsync("lease", 1_000, "c", CancellationToken.None);
        await using var leases = new LockLeases(factory, Options, TimeProvider.System, NullLogger.Instance);
        await using (var lease = await leases.UseAsync(User, CancellationToken.None))
        {
            // A newer holder wrote meanwhile (as after a pause longer than the grant's validity).
            await ledger.ReserveAsync("lease", [new Reservation(Guid.NewGuid(), 1)], lease.FencingToken + 1, CancellationToken.None);
            var refused = await ledger.ReserveAsync("lease", [new Reservation(Guid.NewGuid(), 1)], lease.FencingToken, CancellationToken.None);
            Assert.Equal(ReserveOutcome.StaleFencingToken, refused[0]);
            lease.Discard();
        }

        await using (var next = await leases.UseAsync(User, CancellationToken.None))
        {
            Assert.True(next.IsNewGrant);
            var reserved = await ledger.ReserveAsync("lease", [new Reservation(Guid.NewGuid(), 1)], next.FencingToken, CancellationToken.None);
            Assert.Equal(ReserveOutcome.Reserved, reserved[0]);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Stopping_releases_every_kept_lease_at_once()
    {
        var factory = new InMemoryLockFactory();
        var leases = new LockLeases(factory, Options, TimeProvider.System, NullLogger.Instance);
        foreach (var user in new[] { "user:a", "user:b", "user:c" })
        {
            await using var lease = await leases.UseAsync(user, CancellationToken.None);
        }

        Assert.Equal(3, leases.Count);
        await leases.DisposeAsync();
        Assert.Equal(0, leases.Count);
        foreach (var user in new[] { "user:a", "user:b", "user:c" })
        {
            await using var other = await factory.CreateLockAsync(user, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromMilliseconds(1), CancellationToken.None);
            Assert.True(other.IsAcquired, user);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task With_leasing_off_every_use_acquires_and_releases()
    {
        var locks = new CountingLocks(new InMemoryLockFactory());
        await using var leases = new LockLeases(locks, Options with { LockLeaseIdle = TimeSpan.Zero }, TimeProvider.System, NullLogger.Instance);
        for (int i = 0; i < 3; i++)
        {
            await using var lease = await leases.UseAsync(User, CancellationToken.None);
            Assert.True(lease.IsNewGrant);
        }

        Assert.Equal(3, locks.Acquired);
        Assert.Equal(0, leases.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_accept_stage_takes_one_grant_for_many_batches_of_one_user()
    {
        var locks = new CountingLocks(new InMemoryLockFactory());
        var ledger = new InMemoryBalanceLedger();
        // The counting wrapper is not the in-memory factory, so the accept deadline applies: generous, only the lease is under test.
        var options = new PipelineOptions
        {
            LockLeaseIdle = TimeSpan.FromSeconds(30),
            LockLeaseMaxHold = TimeSpan.FromSeconds(30),
            AcceptDeadline = TimeSpan.FromSeconds(30),
            LockExpiry = TimeSpan.FromSeconds(60), // the in-memory grant is never extended: no renewal within the test
        };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLocks(locks).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("lease", 1_000_000, "c", CancellationToken.None);
        for (int i = 0; i < 20; i++)
        {
            var result = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "lease"), CancellationToken.None);
            Assert.Equal(AcceptStatus.Queued, result.Status);
        }

        Assert.Equal(1, locks.UserAcquired);
        await pipeline.StopAsync(CancellationToken.None);
        await using var after = await locks.CreateLockAsync("user:lease", TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.True(after.IsAcquired); // released at stop
        var balance = await ledger.GetBalanceAsync("lease", CancellationToken.None);
        Assert.Equal(1_000_000, balance.Available + balance.Reserved + balance.Spent);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(5);
        }
    }

    /// <summary>Counts acquired grants; each grant can be made to read lost.</summary>
    private sealed class CountingLocks(IDistributedLockFactory inner) : IDistributedLockFactory
    {
        private int _acquired;
        private int _userAcquired;

        public int Acquired => Volatile.Read(ref _acquired);

        public int UserAcquired => Volatile.Read(ref _userAcquired);

        public LosableGrant? First { get; private set; }

        public LosableGrant? Last { get; private set; }

        public async Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
        {
            var grant = new LosableGrant(await inner.CreateLockAsync(resource, expiry, wait, retry, cancellationToken));
            if (grant.IsAcquired)
            {
                Interlocked.Increment(ref _acquired);
                if (resource.StartsWith("user:", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _userAcquired);
                }

                First ??= grant;
                Last = grant;
            }

            return grant;
        }
    }

    private sealed class LosableGrant(IDistributedLock inner) : IDistributedLock
    {
        private volatile bool _lost;

        public bool Disposed { get; private set; }

        public string Resource => inner.Resource;

        public string LockId => inner.LockId;

        public bool IsAcquired => Status == DistributedLockStatus.Acquired;

        public DistributedLockStatus Status => _lost ? DistributedLockStatus.Expired : inner.Status;

        public long FencingToken => inner.FencingToken;

        public DateTimeOffset ValidUntil => inner.ValidUntil;

        public bool IsValidFor(TimeSpan duration) => !_lost && inner.IsValidFor(duration);

        public void Lose() => _lost = true;

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return inner.DisposeAsync();
        }
    }

    private sealed class EventLog : ILogger
    {
        private readonly ConcurrentQueue<int> _ids = new();

        public IReadOnlyCollection<int> EventIds => _ids;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _ids.Enqueue(eventId.Id);
    }
}
