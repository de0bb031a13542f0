using HdrHistogram;
using SmsGateway.Load.Histogram;

namespace SmsGateway.Load.Runner;

/// <summary>One second of a scenario, by intended start: answered-OK and failed counts and the accept latency (µs) of the express requests (all requests when none are express).</summary>
public sealed class TimelineBucket
{
    private long _ok, _errors;

    /// <summary>Accept latencies of the second, µs (2 significant digits).</summary>
    public HistogramBase Latency { get; } = LatencyHistograms.Create(2);

    /// <summary>202 answers.</summary>
    public long Ok => Interlocked.Read(ref _ok);

    /// <summary>Other answers and transport failures.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Counts one answer (thread-safe).</summary>
    public void Count(bool ok)
    {
        if (ok) Interlocked.Increment(ref _ok); else Interlocked.Increment(ref _errors);
    }
}
