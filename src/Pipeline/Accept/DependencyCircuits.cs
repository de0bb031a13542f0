using Microsoft.Extensions.Logging;

namespace SmsGateway.Accept;

/// <summary>
/// Circuit breakers of the accept path, one per <see cref="AcceptDependency"/> (README "Readiness" and "Admission control"):
/// <see cref="PipelineOptions.CircuitFailureThreshold"/> failed calls in a row open a circuit, and while it is open
/// <c>/send</c> answers 503 at once instead of waiting for a dependency that is known to be down. After
/// <see cref="PipelineOptions.CircuitBreakDuration"/> one request is let through as a trial (half-open): its success closes
/// the circuit, its failure opens it for another period. Fed by the accept stage's real calls and by the host's readiness
/// probes (<see cref="Report"/>): a probe that finds a dependency down counts as a failed call, one that finds it up closes the circuit before any trial.
/// </summary>
/// <remarks>
/// Thread-safe and lock-free: a closed circuit costs one volatile read per request. Polly's circuit breaker was not used
/// because the accept path needs to refuse before queueing (a peek, not an execution), records one outcome per batch call
/// that serves many requests, and takes outside reports from probes.
/// </remarks>
public sealed class DependencyCircuits
{
    private static readonly int Count = Enum.GetValues<AcceptDependency>().Length;
    private readonly long[] _openedAt = new long[Count];   // timestamp of the last opening; 0 while closed
    private readonly long[] _trialAt = new long[Count];    // timestamp of the last half-open trial; 0 for none
    private readonly int[] _failures = new int[Count];     // failed calls in a row
    private readonly long[] _answeredAt = new long[Count]; // timestamp of the last success (a real call or a probe); 0 for none
    private readonly int _threshold;
    private readonly TimeSpan _breakDuration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates closed circuits.</summary>
    /// <param name="options">Threshold and break duration (validated by the caller).</param>
    /// <param name="time">Clock (timestamps).</param>
    /// <param name="logger">Receives one line per opening (event 7100) and closing (7101).</param>
    public DependencyCircuits(PipelineOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _threshold = options.CircuitFailureThreshold;
        _breakDuration = options.CircuitBreakDuration;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Whether <paramref name="dependency"/>'s circuit is open or half-open now (requests are refused or on trial).</summary>
    public bool IsOpen(AcceptDependency dependency) => Volatile.Read(ref _openedAt[(int)dependency]) != 0;

    /// <summary>
    /// A readiness probe's finding: reachable closes the circuit at once (no need to wait for a trial request); unreachable
    /// counts as one failed call, so a probe that timed out during a CPU stall alone does not open it (issue 12 item 6).
    /// </summary>
    public void Report(AcceptDependency dependency, bool reachable)
    {
        if (reachable)
        {
            Succeeded(dependency);
        }
        else
        {
            Failed(dependency, "readiness probe");
        }
    }

    /// <summary>
    /// Whether <paramref name="dependency"/> answered a real call or a readiness probe within the last
    /// <paramref name="window"/>. The accept stage asks it about a call its deadline cut off, with the time that call ran: a
    /// dependency that answered others meanwhile is up, and the miss was this process's overload (README "Admission control
    /// and fail-fast").
    /// </summary>
    internal bool AnsweredWithin(AcceptDependency dependency, TimeSpan window)
    {
        long answered = Volatile.Read(ref _answeredAt[(int)dependency]);
        return answered != 0 && _time.GetElapsedTime(answered) <= window;
    }

    /// <summary>A real call to <paramref name="dependency"/> succeeded: the circuit closes.</summary>
    internal void Succeeded(AcceptDependency dependency)
    {
        int i = (int)dependency;
        Volatile.Write(ref _answeredAt[i], _time.GetTimestamp());
        Volatile.Write(ref _failures[i], 0);
        if (Interlocked.Exchange(ref _openedAt[i], 0) != 0)
        {
            Volatile.Write(ref _trialAt[i], 0);
            AcceptLog.CircuitClosed(_logger, dependency);
        }
    }

    /// <summary>A real call to <paramref name="dependency"/> failed (unreachable or timed out); opens the circuit at the
    /// threshold, and at once when it was half-open (the trial failed).</summary>
    internal void Failed(AcceptDependency dependency, string reason)
    {
        int i = (int)dependency;
        if (Interlocked.Increment(ref _failures[i]) >= _threshold || Volatile.Read(ref _openedAt[i]) != 0)
        {
            Open(dependency, reason);
        }
    }

    /// <summary>
    /// The dependency a request must not wait for now, or null to go ahead. An open circuit refuses until its break
    /// duration passed; then it lets one request through per break duration as its trial.
    /// </summary>
    internal AcceptDependency? Refusing()
    {
        for (int i = 0; i < Count; i++)
        {
            long opened = Volatile.Read(ref _openedAt[i]);
            if (opened == 0)
            {
                continue;
            }

            long now = _time.GetTimestamp();
            if (_time.GetElapsedTime(opened, now) < _breakDuration)
            {
                return (AcceptDependency)i;
            }

            long trial = Volatile.Read(ref _trialAt[i]);
            bool trialDue = trial == 0 || _time.GetElapsedTime(trial, now) >= _breakDuration;
            if (!trialDue || Interlocked.CompareExchange(ref _trialAt[i], now, trial) != trial)
            {
                return (AcceptDependency)i;
            }
        }

        return null;
    }

    private void Open(AcceptDependency dependency, string reason)
    {
        int i = (int)dependency;
        long now = _time.GetTimestamp();
        if (Interlocked.Exchange(ref _openedAt[i], now) == 0)
        {
            AcceptLog.CircuitOpened(_logger, dependency, reason, _breakDuration.TotalMilliseconds);
        }
    }
}
