using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SmsGateway.Host.Health;

/// <summary>
/// Base of the readiness checks of one dependency (README "Readiness"): runs <see cref="ProbeAsync"/> at most once per
/// <see cref="CacheFor"/> and bounds it by <see cref="Bound"/>, so <c>/health/ready</c> stays cheap under frequent polling and
/// answers within about a second even when the dependency is frozen (a SIGSTOP'ed Redis accepts TCP and never replies).
/// </summary>
/// <remarks>
/// Thread-safe. Concurrent callers within the cache period share the last result; when it is stale they each probe (the
/// probes are cheap and bounded). A state change (healthy ↔ unhealthy) is logged once with the reason, which may name
/// internal endpoints; the result's description, which <c>/health/ready</c> shows, never does.
/// </remarks>
internal abstract class DependencyHealthCheck(TimeProvider time, HealthLog log) : IHealthCheck
{
    /// <summary>How long a result is reused: 1 s.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    /// <summary>The longest one probe may take before the dependency counts as down: 1 s.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private HealthCheckResult? _last;
    private long _lastAt;
    private int _lastHealthy = -1; // -1 unknown, 0 unhealthy, 1 healthy

    /// <summary>The check's name in <c>/health/ready</c> and in the log.</summary>
    protected abstract string Name { get; }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_last is { } last && time.GetElapsedTime(_lastAt) < CacheFor)
            {
                return last;
            }
        }

        var started = time.GetTimestamp();
        Probe outcome;
        using (var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            bound.CancelAfter(Bound);
            try
            {
                outcome = await ProbeAsync(bound.Token).WaitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = Probe.Down($"no answer within {Bound.TotalMilliseconds:0} ms", "probe timed out");
            }
        }

        Observed(outcome.Healthy);
        // Down is the registration's failure status: unhealthy (503), or degraded (200) for a dependency the roles can work without.
        var result = outcome.Healthy ? HealthCheckResult.Healthy(outcome.Description) : new HealthCheckResult(context.Registration.FailureStatus, outcome.Description);
        if (Interlocked.Exchange(ref _lastHealthy, outcome.Healthy ? 1 : 0) != (outcome.Healthy ? 1 : 0))
        {
            if (outcome.Healthy)
            {
                log.Up(Name, outcome.Description);
            }
            else
            {
                log.Down(Name, outcome.Reason ?? outcome.Description);
            }
        }

        lock (_gate)
        {
            _last = result;
            _lastAt = started;
        }

        return result;
    }

    /// <summary>Probes the dependency once; must observe <paramref name="cancellationToken"/> (cancelled after <see cref="Bound"/>).</summary>
    /// <returns>The state, with a description free of endpoints and a log reason that may name them.</returns>
    protected abstract Task<Probe> ProbeAsync(CancellationToken cancellationToken);

    /// <summary>Called with each probe's finding (not with cached results); the accept dependencies' checks pass it on to
    /// <see cref="SmsPipeline.Circuits"/>, so <c>/send</c> fails fast as soon as a probe finds its dependency down.</summary>
    protected virtual void Observed(bool healthy)
    {
    }
}
