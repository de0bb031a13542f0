using System.Diagnostics;
using SmsGateway.Locking;
using SmsGateway.Model;

namespace SmsGateway.Accept;

/// <summary>
/// Fail-fast and admission control of the accept stage (issue 12 items 5 and 6; README "Admission control"): open circuits
/// refuse with 503 before queueing, a partition whose queueing delay exceeds <see cref="PipelineOptions.AcceptQueueBudget"/>
/// refuses with 429, and every request is answered within <see cref="PipelineOptions.AcceptDeadline"/>.
/// </summary>
internal sealed partial class AcceptStage
{
    private DependencyCircuits _circuits = null!;
    private AcceptQueueClock[] _clocks = [];

    /// <summary>The circuits this stage reports to and obeys.</summary>
    internal DependencyCircuits Circuits => _circuits;

    private void InitAdmission(DependencyCircuits? circuits)
    {
        _circuits = circuits ?? new DependencyCircuits(_options, _time, _logger);
        _clocks = new AcceptQueueClock[_options.AcceptPartitions];
        for (int i = 0; i < _clocks.Length; i++)
        {
            _clocks[i] = new AcceptQueueClock();
        }
    }

    // Before queueing: an open circuit answers 503 at once; a partition over its time budget answers 429.
    private AcceptResult? RefuseEarly(SmsMessage message, int partition)
    {
        if (_circuits.Refusing() is { } down)
        {
            _metrics.Refused("fail_fast");
            return AcceptResult.Unavailable($"the {Describe(down)} is unavailable; nothing was charged; retry later", message);
        }

        var budget = _options.AcceptQueueBudget;
        if (budget <= TimeSpan.Zero)
        {
            return null;
        }

        var clock = _clocks[partition];
        var delay = clock.Delay(_partitions[partition].Count);
        bool over = delay > budget;
        if (clock.SetSaturated(over) && over)
        {
            AcceptLog.Saturated(_logger, partition, delay.TotalMilliseconds, budget.TotalMilliseconds);
        }

        if (!over)
        {
            return null;
        }

        _metrics.Refused("saturated");
        return new AcceptResult(AcceptStatus.Saturated, message, Detail: "the gateway is saturated (accept queue over its time budget); nothing was charged; retry later");
    }

    // At dequeue: a request that already waited past the accept deadline is answered 429 without reserving anything.
    private bool RefuseStale(AcceptWork work)
    {
        if (Stopwatch.GetElapsedTime(work.StartTimestamp) < _options.AcceptDeadline)
        {
            return false;
        }

        _metrics.Refused("saturated");
        work.Completion.TrySetResult(new AcceptResult(AcceptStatus.Saturated, work.Message,
            Detail: "the request waited in the accept queue past its deadline; nothing was charged; retry later"));
        return true;
    }

    // One deadline per user batch: the earliest request's start plus the accept deadline.
    private CancellationTokenSource DeadlineFor(List<AcceptWork> items)
    {
        if (_options.AcceptDeadline == TimeSpan.MaxValue)
        {
            return new CancellationTokenSource(); // in-memory parts only: no deadline
        }

        long earliest = items[0].StartTimestamp;
        foreach (var w in items)
        {
            earliest = Math.Min(earliest, w.StartTimestamp);
        }

        var left = _options.AcceptDeadline - Stopwatch.GetElapsedTime(earliest);
        return new CancellationTokenSource(left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1));
    }

    // The user's lock lease within the deadline; null when the deadline passed first. A newly acquired grant closes the lock
    // quorum's circuit and NoQuorum counts against it; a reused grant proves nothing new about the quorum, so it reports nothing.
    private async Task<LockLease?> LockWithinAsync(string resource, CancellationToken deadline)
    {
        LockLease lease;
        long started = Stopwatch.GetTimestamp();
        try
        {
            lease = await _leases.UseAsync(resource, deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            DeadlineFailure(AcceptDependency.LockQuorum, started, "no grant within the accept deadline");
            return null;
        }

        switch (lease.Status)
        {
            case DistributedLockStatus.Acquired when lease.IsNewGrant:
                _circuits.Succeeded(AcceptDependency.LockQuorum);
                break;
            case DistributedLockStatus.NoQuorum:
                _circuits.Failed(AcceptDependency.LockQuorum, "no quorum");
                break;
        }

        return lease;
    }

    // A call cut short by the accept deadline counts against its dependency's circuit only when the call itself had at least
    // half the deadline. Under CPU saturation a request spends its time queued behind others and reaches the dependency with
    // little of its deadline left; that miss says nothing about the dependency, and opening its circuit would turn an
    // overload (429) into an outage (503) for everyone (issue 12 item 6; README "Admission control and fail-fast").
    private void DeadlineFailure(AcceptDependency dependency, long callStarted, string reason)
    {
        if (Stopwatch.GetElapsedTime(callStarted) >= _options.AcceptDeadline / 2)
        {
            _circuits.Failed(dependency, reason);
        }
    }

    private static string Describe(AcceptDependency dependency) => dependency switch
    {
        AcceptDependency.Broker => "message broker",
        AcceptDependency.Ledger => "balance ledger",
        _ => "balance lock",
    };
}
