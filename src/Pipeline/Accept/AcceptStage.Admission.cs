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
        _clocks = new AcceptQueueClock[_options.ResolvedAcceptPartitions];
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
            return AcceptResult.Unavailable($"the {Describe(down)} is unavailable; nothing was charged; retry later", message) with { FailFast = true };
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

    // One deadline per user batch: the earliest request's start plus the accept deadline. Null for none (in-memory parts
    // only): the calls then get CancellationToken.None, which costs no registration and lets the status publisher's wait
    // skip its cancellable copy of the ack (bench/README.md "Embedded hand-over").
    private CancellationTokenSource? DeadlineFor(List<AcceptWork> items)
    {
        if (_options.AcceptDeadline == TimeSpan.MaxValue)
        {
            return null;
        }

        var left = LeftOf(items);
        return new CancellationTokenSource(left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1));
    }

    // What is left of the accept deadline of the earliest of these requests (negative when it passed).
    private TimeSpan LeftOf(IReadOnlyList<AcceptWork> items) => _options.AcceptDeadline - Stopwatch.GetElapsedTime(EarliestStart(items));

    // The Stopwatch timestamp at which the earliest of these requests arrived.
    private static long EarliestStart(IReadOnlyList<AcceptWork> items)
    {
        long earliest = items[0].StartTimestamp;
        for (int i = 1; i < items.Count; i++) // by index: foreach over the interface would box the list's enumerator
        {
            earliest = Math.Min(earliest, items[i].StartTimestamp);
        }

        return earliest;
    }

    // The user's lock lease within the deadline; null when the deadline passed first (the requests are then answered here).
    // A newly acquired grant closes the lock quorum's circuit and NoQuorum counts against it; a reused grant proves nothing
    // new about the quorum, so it reports nothing.
    private async ValueTask<LockLease?> LockWithinAsync(string resource, List<AcceptWork> items, CancellationToken deadline)
    {
        LockLease lease;
        var given = LeftOf(items);
        try
        {
            lease = await _leases.UseAsync(resource, deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested)
        {
            // Never blamed at the cut: a wait in this process (for the user's previous batch, a release) is not the lock
            // nodes', and an acquisition in flight has per-node limits of its own that end it with NoQuorum when nodes are
            // silent. Its outcome, when it comes, is what the circuit hears (JudgeLateAcquisitionAsync).
            TimeSpan nodesGiven = TimeSpan.Zero;
            if (ex is LockAcquisitionCancelledException cut)
            {
                nodesGiven = given - cut.WaitedBeforeAcquisition;
                _ = JudgeLateAcquisitionAsync(cut.Outcome);
            }

            AcceptLog.DeadlineMissed(_logger, AcceptDependency.LockQuorum, items.Count, Math.Round(nodesGiven.TotalMilliseconds, 1),
                _options.AcceptDeadline.TotalMilliseconds, Math.Round(-LeftOf(items).TotalMilliseconds, 1), LockCutVerdict);
            RefusePastDeadline(items, blamed: false, AcceptDependency.LockQuorum);
            return null;
        }

        ReportLockStatus(lease.Status, lease.IsNewGrant);
        return lease;
    }

    // What a lock use tells the quorum's circuit: a new grant closes it, NoQuorum counts against it; a reused grant, a
    // conflict with another holder or an expired grant says nothing about the nodes.
    private void ReportLockStatus(DistributedLockStatus status, bool newGrant)
    {
        switch (status)
        {
            case DistributedLockStatus.Acquired when newGrant:
                _circuits.Succeeded(AcceptDependency.LockQuorum);
                break;
            case DistributedLockStatus.NoQuorum:
                _circuits.Failed(AcceptDependency.LockQuorum, "no quorum");
                break;
        }
    }

    // The outcome of an acquisition whose request was answered at its deadline. A 10x burst on the 2-core machine had every
    // lock round of the process stall for ~500 ms while the nodes were up (bench/README.md "Blame needs a silent
    // dependency"); judged at the cut, three of them opened the circuit and 7,500-10,600 requests were answered 503.
    private async Task JudgeLateAcquisitionAsync(Task<DistributedLockStatus?> outcome)
    {
        if (await outcome.ConfigureAwait(false) is { } status) // never faults (LockAcquisitionCancelledException.Outcome)
        {
            ReportLockStatus(status, newGrant: true);
        }
    }

    private const string BlamedVerdict = "the dependency is blamed: answered 503 (202 for a message already being sent), and the miss counts toward its circuit";
    private const string NotBlamedVerdict = "the call had less than half the deadline, so the dependency is not blamed: answered 429 (202 for a message already being sent)";
    private const string LockCutVerdict = "a lock use is never blamed at its deadline: answered 429, and the acquisition's own outcome, when it ends, is what the lock quorum's circuit counts";
    private const string AnsweredVerdict = "the dependency answered other calls while this one ran, so it is up and this process is overloaded: answered 429 (202 for a message already being sent)";

    // A call cut short by the accept deadline counts against its dependency's circuit only when the call was given at least
    // half the deadline (what was left of it when the call started) and the dependency answered no other call (nor a
    // readiness probe) while it ran. Under CPU saturation a request spends its time queued behind others and reaches the
    // dependency with little of its deadline left, or its call waits behind the whole machine's backlog while the
    // dependency keeps answering everyone else; neither miss says the dependency is down, and opening its circuit would turn
    // an overload (429) into an outage (503) for everyone (issue 12 item 6; README "Admission control and fail-fast").
    // Judged by the time given, not the time elapsed when the miss is seen: a starved thread pool runs the deadline's
    // continuation late. True when the dependency was blamed.
    // Each miss is logged with the time the call was given and how long after the deadline the miss was handled (event
    // 7106): a miss handled long after the deadline means this process was short of CPU, whoever is blamed.
    private bool DeadlineFailure(AcceptDependency dependency, IReadOnlyList<AcceptWork> items, TimeSpan given, string reason)
    {
        var left = LeftOf(items);
        bool halfGiven = given >= _options.AcceptDeadline / 2;
        bool answeredOthers = halfGiven && _circuits.AnsweredWithin(dependency, given - left); // the call ran for what it was given and the overrun
        bool blamed = halfGiven && !answeredOthers;
        string verdict = blamed ? BlamedVerdict : answeredOthers ? AnsweredVerdict : NotBlamedVerdict;
        AcceptLog.DeadlineMissed(_logger, dependency, items.Count, Math.Round(given.TotalMilliseconds, 1), _options.AcceptDeadline.TotalMilliseconds,
            Math.Round(-left.TotalMilliseconds, 1), verdict);
        if (blamed)
        {
            _circuits.Failed(dependency, reason);
        }

        return blamed;
    }

    // The answer to requests whose call was cut short by the accept deadline. When DeadlineFailure did not blame the
    // dependency, the requests spent most of their deadline queued, or their call waited while the dependency answered
    // others: the gateway is overloaded, so 429 (retry after the admission delay) rather than a 503 that tells clients and
    // monitors a dependency is down (README "Admission control and fail-fast").
    private static AcceptResult PastDeadline(bool blamed, AcceptDependency dependency, SmsMessage message) => blamed
        ? AcceptResult.Unavailable($"the {Describe(dependency)} did not answer within the accept deadline; nothing was charged; retry later", message)
        : new AcceptResult(AcceptStatus.Saturated, message,
            Detail: "the gateway is saturated (the request did not complete within its accept deadline); nothing was charged; retry later");

    private void RefusePastDeadline(List<AcceptWork> items, bool blamed, AcceptDependency dependency)
    {
        foreach (var w in items)
        {
            _metrics.Refused(blamed ? ReasonOf(dependency) : "saturated");
            w.Completion.TrySetResult(PastDeadline(blamed, dependency, w.Message));
        }
    }

    private static string ReasonOf(AcceptDependency dependency) => dependency switch
    {
        AcceptDependency.Broker => "broker",
        AcceptDependency.Ledger => "ledger",
        _ => "lock",
    };

    private static string Describe(AcceptDependency dependency) => dependency switch
    {
        AcceptDependency.Broker => "message broker",
        AcceptDependency.Ledger => "balance ledger",
        _ => "balance lock",
    };
}
