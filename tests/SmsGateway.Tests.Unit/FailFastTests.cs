using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Locking;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit;

/// <summary>Issue 12 items 5 and 6 in the library: the accept deadline, the dependency circuits and admission by time.</summary>
public sealed class FailFastTests
{
    private static readonly SendRequest Request = new("09121234567", "hello", "express", "ff");

    [Fact(Timeout = 30_000)]
    public async Task A_broker_that_never_acks_gets_503_within_the_deadline_then_fails_fast_then_recovers_by_itself()
    {
        var transport = new StallingTransport();
        var ledger = new InMemoryBalanceLedger();
        var options = new PipelineOptions
        {
            AcceptDeadline = TimeSpan.FromSeconds(1), // the stalled publish has nearly all of it: the broker is to blame
            CircuitFailureThreshold = 2,
            CircuitBreakDuration = TimeSpan.FromMilliseconds(300),
        };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("ff", 1_000_000, "c", CancellationToken.None);
        // One send while the broker answers compiles the accept path first: on a loaded machine the first request's JIT could
        // take over half the deadline before its publish, which makes it a 429 (queued too long), not a broker 503.
        Assert.Equal(AcceptStatus.Queued, (await pipeline.SendAsync(Request, CancellationToken.None)).Status);

        transport.Stalled = true;
        for (int i = 0; i < 2; i++)
        {
            var clock = Stopwatch.StartNew();
            var stalled = await pipeline.SendAsync(Request, CancellationToken.None);
            Assert.Equal(AcceptStatus.Unavailable, stalled.Status);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"answered after {clock.ElapsedMilliseconds} ms"); // functional bound, not a benchmark
        }

        Assert.True(pipeline.Circuits.IsOpen(AcceptDependency.Broker));
        var reservedBefore = (await ledger.GetBalanceAsync("ff", CancellationToken.None)).Reserved;
        int publishesBefore = transport.MessagePublishes;
        var refused = await pipeline.SendAsync(Request, CancellationToken.None);
        Assert.Equal(AcceptStatus.Unavailable, refused.Status);
        Assert.Contains("message broker", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(publishesBefore, transport.MessagePublishes); // the broker was not even tried
        Assert.Equal(reservedBefore, (await ledger.GetBalanceAsync("ff", CancellationToken.None)).Reserved); // nothing charged

        transport.Stalled = false;
        await Task.Delay(options.CircuitBreakDuration + TimeSpan.FromMilliseconds(100));
        var trial = await pipeline.SendAsync(Request, CancellationToken.None);
        Assert.Equal(AcceptStatus.Queued, trial.Status);
        Assert.False(pipeline.Circuits.IsOpen(AcceptDependency.Broker));
        Assert.Equal(AcceptStatus.Queued, (await pipeline.SendAsync(Request, CancellationToken.None)).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Lock_quorum_lost_opens_its_circuit_and_a_healthy_probe_closes_it()
    {
        var locks = new SwitchableLocks();
        var ledger = new InMemoryBalanceLedger();
        // Deadline and admission generous: only the circuit is under test (a loaded CI machine must not turn these into 429s).
        var options = new PipelineOptions
        {
            CircuitFailureThreshold = 3,
            CircuitBreakDuration = TimeSpan.FromMinutes(5),
            AcceptDeadline = TimeSpan.FromSeconds(30),
            AcceptQueueBudget = TimeSpan.Zero,
        };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLocks(locks).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("ff", 1_000_000, "c", CancellationToken.None);

        locks.NoQuorum = true;
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(AcceptStatus.Unavailable, (await pipeline.SendAsync(Request, CancellationToken.None)).Status);
        }

        int calls = locks.Calls;
        var refused = await pipeline.SendAsync(Request, CancellationToken.None);
        Assert.Equal(AcceptStatus.Unavailable, refused.Status);
        Assert.Contains("balance lock", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(calls, locks.Calls);

        // The quorum is back; the break lasts 5 minutes, but the readiness probe's finding closes the circuit at once.
        locks.NoQuorum = false;
        pipeline.Circuits.Report(AcceptDependency.LockQuorum, reachable: true);
        Assert.Equal(AcceptStatus.Queued, (await pipeline.SendAsync(Request, CancellationToken.None)).Status);
        var balance = await ledger.GetBalanceAsync("ff", CancellationToken.None);
        Assert.Equal(1_000_000, balance.Available + balance.Reserved + balance.Spent);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_queue_over_its_time_budget_answers_429_and_charges_nothing_for_it()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var locks = new SwitchableLocks { GateFor = _ => gate.Task };
        var ledger = new InMemoryBalanceLedger();
        var options = new PipelineOptions
        {
            AcceptPartitions = 1,
            MaxReserveBatch = 1,
            AcceptQueueBudget = TimeSpan.FromMilliseconds(50),
            AcceptDeadline = TimeSpan.FromSeconds(30), // the time budget of the queue, not the deadline, is under test
        };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLocks(locks).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("ff", 10_000_000, "c", CancellationToken.None);

        // The partition's single worker holds the first request at the lock (the gate). The first request queued behind it
        // is admitted (nothing waits yet); later ones may already be refused on a slow machine. Once the batch in progress
        // has run longer than the 50-ms budget with a request waiting, every newcomer is refused. Only lower bounds on time.
        var first = new List<Task<AcceptResult>> { pipeline.SendAsync(Request, CancellationToken.None) };
        await WaitUntilAsync(() => locks.Calls == 1);
        first.AddRange(Enumerable.Range(0, 4).Select(_ => pipeline.SendAsync(Request, CancellationToken.None)));
        await Task.Delay(150);
        var secondWave = Enumerable.Range(0, 5).Select(_ => pipeline.SendAsync(Request, CancellationToken.None)).ToList(); // admission is decided on submit
        gate.SetResult();
        var second = await Task.WhenAll(secondWave);
        var results = await Task.WhenAll(first);

        Assert.All(second, r => Assert.Equal(AcceptStatus.Saturated, r.Status));
        Assert.Equal(AcceptStatus.Queued, results[0].Status);
        Assert.Equal(AcceptStatus.Queued, results[1].Status);
        Assert.All(results, r => Assert.True(r.Status is AcceptStatus.Queued or AcceptStatus.Saturated, r.Status.ToString()));
        var balance = await ledger.GetBalanceAsync("ff", CancellationToken.None);
        Assert.Equal(results.Where(r => r.Status == AcceptStatus.Queued).Sum(r => r.Message!.Cost), balance.Reserved + balance.Spent);

        // Drained: the next request is admitted again.
        Assert.Equal(AcceptStatus.Queued, (await pipeline.SendAsync(Request, CancellationToken.None)).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_deadline_spent_queueing_does_not_open_the_lock_circuit_but_a_lock_call_that_hangs_and_ends_without_quorum_does()
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var silent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var locks = new SwitchableLocks { GateFor = n => n == 1 ? first.Task : silent.Task, Uncancellable = n => n > 1 };
        var ledger = new InMemoryBalanceLedger();
        var options = OneRequestAtATime(TimeSpan.FromSeconds(4));
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLocks(locks).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("ff", 1_000_000, "c", CancellationToken.None);

        // The second request waits in the queue while the first holds the worker, and reaches the lock with little of its
        // deadline left (or none: then it is refused at dequeue). Either way the lock nodes are not to blame.
        var held = pipeline.SendAsync(Request, CancellationToken.None);
        await WaitUntilAsync(() => locks.Calls == 1);
        var queued = pipeline.SendAsync(Request, CancellationToken.None);
        await Task.Delay(2500); // the queued request then has at most 1.5 s of its 4 s left: less than half
        first.SetResult();
        var heldResult = await held;
        Assert.True(heldResult.Status == AcceptStatus.Queued, heldResult.Detail);
        var late = await queued;
        Assert.Equal(AcceptStatus.Saturated, late.Status); // 429: an overload, not a lock outage
        Assert.Contains("saturated", late.Detail, StringComparison.Ordinal);
        Assert.False(pipeline.Circuits.IsOpen(AcceptDependency.LockQuorum));

        // A request whose call hangs through its whole deadline is answered 429 at the deadline: the circuit waits for what
        // the call ends with. Silent nodes end it with NoQuorum (per-node limits), and that counts.
        var hung = await pipeline.SendAsync(Request, CancellationToken.None);
        Assert.Equal(AcceptStatus.Saturated, hung.Status);
        Assert.False(pipeline.Circuits.IsOpen(AcceptDependency.LockQuorum));
        locks.NoQuorum = true;
        silent.SetResult();
        await WaitUntilAsync(() => pipeline.Circuits.IsOpen(AcceptDependency.LockQuorum));
        int calls = locks.Calls;
        var refused = await pipeline.SendAsync(Request, CancellationToken.None);
        Assert.Equal(AcceptStatus.Unavailable, refused.Status);
        Assert.Contains("balance lock", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(calls, locks.Calls); // refused by the open circuit without a lock call
    }

    [Fact(Timeout = 30_000)]
    public async Task A_publish_cut_while_the_broker_acks_others_answers_429_and_the_same_stall_alone_answers_503()
    {
        // User ff's express publish stalls through its whole deadline while another user's normal publish, from the other
        // accept partition, is acked: the broker answers, so the miss is this process's overload (429) and the circuit stays
        // closed. The same stall with nothing acked meanwhile is blamed: 503, and the circuit opens.
        var transport = new StallingTransport { StalledTopic = Topics.Express };
        var ledger = new InMemoryBalanceLedger();
        var options = OneRequestAtATime(TimeSpan.FromSeconds(2)) with { AcceptPartitions = 2 };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        var other = OtherPartitionUser(Request.UserId!, partitions: 2);
        await ledger.ChargeAsync(Request.UserId!, 1_000_000, "c", CancellationToken.None);
        await ledger.ChargeAsync(other, 1_000_000, "c", CancellationToken.None);

        var stalled = pipeline.SendAsync(Request, CancellationToken.None);
        await WaitUntilAsync(() => transport.MessagePublishes == 1);
        var acked = await pipeline.SendAsync(Request with { UserId = other, Type = "normal" }, CancellationToken.None);
        Assert.True(acked.Status == AcceptStatus.Queued, acked.Detail);
        var overloaded = await stalled;
        Assert.Equal(AcceptStatus.Saturated, overloaded.Status);
        Assert.False(pipeline.Circuits.IsOpen(AcceptDependency.Broker));

        var alone = await pipeline.SendAsync(Request, CancellationToken.None);
        Assert.Equal(AcceptStatus.Unavailable, alone.Status);
        Assert.Contains("message broker", alone.Detail, StringComparison.Ordinal);
        Assert.True(pipeline.Circuits.IsOpen(AcceptDependency.Broker));
        Assert.Equal(new Balance(Request.UserId!, 1_000_000, 0, 0), await ledger.GetBalanceAsync(Request.UserId!, CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_lock_acquisition_cut_by_the_deadline_answers_429_and_its_late_grant_counts_as_the_nodes_answering()
    {
        // Request 1's acquisition hangs through its whole deadline: answered 429, the circuit untouched. While it hangs a
        // probe finds the quorum down (the circuit opens, threshold 1); then the acquisition ends with a grant, which proves
        // the nodes answer, and the circuit closes without waiting for a trial.
        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var locks = new SwitchableLocks { GateFor = _ => late.Task, Uncancellable = _ => true };
        var ledger = new InMemoryBalanceLedger();
        var options = OneRequestAtATime(TimeSpan.FromSeconds(1));
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLocks(locks).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("ff", 1_000_000, "c", CancellationToken.None);

        var cut = await pipeline.SendAsync(Request, CancellationToken.None);
        Assert.Equal(AcceptStatus.Saturated, cut.Status);
        Assert.False(pipeline.Circuits.IsOpen(AcceptDependency.LockQuorum));
        Assert.Equal(new Balance("ff", 1_000_000, 0, 0), await ledger.GetBalanceAsync("ff", CancellationToken.None));

        pipeline.Circuits.Report(AcceptDependency.LockQuorum, reachable: false);
        Assert.True(pipeline.Circuits.IsOpen(AcceptDependency.LockQuorum));
        late.SetResult();
        await WaitUntilAsync(() => !pipeline.Circuits.IsOpen(AcceptDependency.LockQuorum));
        Assert.Equal(1, locks.Calls);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_user_held_past_the_lock_wait_by_its_own_late_acquisition_answers_429_not_a_lock_outage()
    {
        // Request 1's acquisition hangs past its deadline and goes on holding the user's gate. Request 2 of the same user
        // gives up at the gate after LockWait: the gateway is busy with that user, and no lock node said anything.
        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var locks = new SwitchableLocks { GateFor = _ => late.Task, Uncancellable = _ => true };
        var ledger = new InMemoryBalanceLedger();
        var options = OneRequestAtATime(TimeSpan.FromSeconds(1)) with { CircuitFailureThreshold = 2, LockWait = TimeSpan.FromMilliseconds(300) };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLocks(locks).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("ff", 1_000_000, "c", CancellationToken.None);

        Assert.Equal(AcceptStatus.Saturated, (await pipeline.SendAsync(Request, CancellationToken.None)).Status);
        var second = await pipeline.SendAsync(Request, CancellationToken.None);
        Assert.Equal(AcceptStatus.Saturated, second.Status);
        Assert.Equal(1, locks.Calls); // the second request never asked the lock nodes
        Assert.False(pipeline.Circuits.IsOpen(AcceptDependency.LockQuorum));
        late.SetResult();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_publish_left_with_little_of_the_deadline_answers_429_and_one_that_stalls_through_it_answers_503()
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var locks = new SwitchableLocks { GateFor = n => n == 1 ? first.Task : Task.CompletedTask };
        var transport = new StallingTransport { Stalled = true };
        var ledger = new InMemoryBalanceLedger();
        var options = OneRequestAtATime(TimeSpan.FromSeconds(3));
        var logs = new FakeLogCollector();
        using var loggerFactory = new LoggerFactory([new FakeLoggerProvider(logs)]);
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLocks(locks).WithLedger(ledger)
            .WithLoggerFactory(loggerFactory).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("ff", 1_000_000, "c", CancellationToken.None);

        // The lock takes 2 of the 3 s, so the stalled publish is cut off having had a third of the deadline: the broker is
        // not to blame for that miss, and the answer is 429 with nothing charged.
        var slowLock = pipeline.SendAsync(Request, CancellationToken.None);
        await WaitUntilAsync(() => locks.Calls == 1);
        await Task.Delay(2000);
        first.SetResult();
        var saturated = await slowLock;
        Assert.Equal(AcceptStatus.Saturated, saturated.Status);
        Assert.False(pipeline.Circuits.IsOpen(AcceptDependency.Broker));
        Assert.Equal(new Balance("ff", 1_000_000, 0, 0), await ledger.GetBalanceAsync("ff", CancellationToken.None));

        // A publish that stalls through the whole deadline is the broker's fault: 503, and its circuit opens.
        var stalled = await pipeline.SendAsync(Request, CancellationToken.None);
        Assert.Equal(AcceptStatus.Unavailable, stalled.Status);
        Assert.Contains("message broker", stalled.Detail, StringComparison.Ordinal);
        Assert.True(pipeline.Circuits.IsOpen(AcceptDependency.Broker));
        Assert.Equal(new Balance("ff", 1_000_000, 0, 0), await ledger.GetBalanceAsync("ff", CancellationToken.None));

        // Each miss is logged once (event 7106) with what the publish was given, how late the miss was handled, and the verdict.
        var misses = logs.GetSnapshot().Where(r => r.Id.Id == 7106).ToList();
        Assert.Equal(2, misses.Count);
        Assert.All(misses, m => Assert.Equal("Broker", m.GetStructuredStateValue("Dependency")));
        Assert.All(misses, m => Assert.InRange(double.Parse(m.GetStructuredStateValue("LateMs")!, CultureInfo.InvariantCulture), -20, 10_000)); // timer granularity
        Assert.True(double.Parse(misses[0].GetStructuredStateValue("GivenMs")!, CultureInfo.InvariantCulture) < 1500, misses[0].Message);
        Assert.Contains("not blamed", misses[0].Message, StringComparison.Ordinal);
        Assert.True(double.Parse(misses[1].GetStructuredStateValue("GivenMs")!, CultureInfo.InvariantCulture) >= 1500, misses[1].Message);
        Assert.Contains("is blamed", misses[1].Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(5);
        }
    }

    [Fact]
    public void Circuit_opens_at_the_threshold_lets_one_trial_through_after_the_break_and_closes_on_success()
    {
        var time = new ManualTime();
        var circuits = new DependencyCircuits(new PipelineOptions { CircuitFailureThreshold = 2, CircuitBreakDuration = TimeSpan.FromSeconds(1) },
            time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        circuits.Failed(AcceptDependency.Ledger, "t");
        Assert.Null(circuits.Refusing());
        circuits.Failed(AcceptDependency.Ledger, "t");
        Assert.Equal(AcceptDependency.Ledger, circuits.Refusing());

        time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.Null(circuits.Refusing());                             // the trial
        Assert.Equal(AcceptDependency.Ledger, circuits.Refusing());   // everyone else while it runs
        circuits.Failed(AcceptDependency.Ledger, "trial failed");     // one failure reopens a half-open circuit
        time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(AcceptDependency.Ledger, circuits.Refusing());
        time.Advance(TimeSpan.FromSeconds(0.6));
        Assert.Null(circuits.Refusing());
        circuits.Succeeded(AcceptDependency.Ledger);
        Assert.False(circuits.IsOpen(AcceptDependency.Ledger));
        Assert.Null(circuits.Refusing());

        circuits.Report(AcceptDependency.Broker, reachable: false);   // a probe's finding counts as one failed call
        Assert.Null(circuits.Refusing());
        circuits.Report(AcceptDependency.Broker, reachable: false);
        Assert.Equal(AcceptDependency.Broker, circuits.Refusing());
        circuits.Report(AcceptDependency.Broker, reachable: true);    // and a healthy probe closes it without a trial
        Assert.Null(circuits.Refusing());
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    /// <summary>The in-memory broker, except that message publishes wait for cancellation while <see cref="Stalled"/>.</summary>
    private sealed class StallingTransport : IMessageTransport
    {
        private readonly InMemoryTransport _inner = new();
        private int _messagePublishes;

        public volatile bool Stalled;

        /// <summary>When set, only publishes to this topic stall (whatever <see cref="Stalled"/> says).</summary>
        public string? StalledTopic { get; init; }

        public int MessagePublishes => Volatile.Read(ref _messagePublishes);

        public async ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken)
        {
            if (topic is Topics.Express or Topics.Normal)
            {
                Interlocked.Increment(ref _messagePublishes);
                if (StalledTopic is null ? Stalled : topic == StalledTopic)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
            }

            await _inner.PublishAsync(topic, message, cancellationToken);
        }

        public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken) =>
            _inner.SubscribeAsync(topic, consumerGroup, options, cancellationToken);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }

    /// <summary>In-memory locks that can answer NoQuorum or answer late.</summary>
    private sealed class SwitchableLocks : IDistributedLockFactory
    {
        private readonly InMemoryLockFactory _inner = new();
        private int _calls;

        public volatile bool NoQuorum;

        /// <summary>When set, user lock request number n (from 1) waits for the task it returns (holds the accept worker).</summary>
        public Func<int, Task>? GateFor { get; init; }

        /// <summary>When set and true for n, request n waits for its gate whatever its token, like a call in flight to a frozen node.</summary>
        public Func<int, bool>? Uncancellable { get; init; }

        /// <summary>User lock requests so far (the scheduler's own lock is not counted).</summary>
        public int Calls => Volatile.Read(ref _calls);

        public async Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
        {
            if (resource.StartsWith("user:", StringComparison.Ordinal))
            {
                int n = Interlocked.Increment(ref _calls);
                if (GateFor is { } gateFor)
                {
                    await (Uncancellable?.Invoke(n) == true ? gateFor(n) : gateFor(n).WaitAsync(cancellationToken));
                }
            }

            return NoQuorum ? new Refused(resource) : await _inner.CreateLockAsync(resource, expiry, wait, retry, cancellationToken);
        }

        private sealed class Refused(string resource) : IDistributedLock
        {
            public string Resource => resource;

            public string LockId => string.Empty;

            public bool IsAcquired => false;

            public DistributedLockStatus Status => DistributedLockStatus.NoQuorum;

            public long FencingToken => 0;

            public DateTimeOffset ValidUntil => DateTimeOffset.MinValue;

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    // A user whose requests go to another accept partition than userId's (the stage partitions by the user id's hash).
    private static string OtherPartitionUser(string userId, int partitions)
    {
        static uint PartitionOf(string user, int partitions) => (uint)StringComparer.Ordinal.GetHashCode(user) % (uint)partitions;
        return Enumerable.Range(0, 1000).Select(i => "other" + i).First(u => PartitionOf(u, partitions) != PartitionOf(userId, partitions));
    }

    // One accept worker, one request per batch and one grant per batch (each request makes its own lock call), no queue
    // budget, and a circuit that opens at the first failure and stays open through the test.
    private static PipelineOptions OneRequestAtATime(TimeSpan deadline) => new()
    {
        AcceptPartitions = 1,
        MaxReserveBatch = 1,
        AcceptDeadline = deadline,
        AcceptQueueBudget = TimeSpan.Zero,
        CircuitFailureThreshold = 1,
        CircuitBreakDuration = TimeSpan.FromMinutes(5),
        LockLeaseIdle = TimeSpan.Zero,
    };
}
