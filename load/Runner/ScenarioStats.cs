using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;
using SmsGateway.Load.Api;
using SmsGateway.Load.Histogram;

namespace SmsGateway.Load.Runner;

/// <summary>
/// Everything measured in one scenario (or one search step). All latencies in microseconds. Thread-safe recording.
/// Accept latency = answer time − intended start (open model) or actual start (closed model); service time = answer time − actual start;
/// scheduler lag = actual start − intended start; final latency = the server's <c>sent</c> event time − <c>accepted_at</c>, for sampled express messages.
/// </summary>
public sealed class ScenarioStats(TimeSpan plannedDuration)
{
    private readonly TimelineBucket[] _timeline = [.. Enumerable.Range(0, (int)plannedDuration.TotalSeconds + 120).Select(_ => new TimelineBucket())];
    private long _requests, _ok, _firstIntended = long.MaxValue, _lastEnd, _finalFailed, _finalMissing, _serverErrors;
    private int _timelineUsed;

    /// <summary>Accept latency of express requests.</summary>
    public HistogramBase AcceptExpress { get; } = LatencyHistograms.Create();

    /// <summary>Accept latency of normal requests.</summary>
    public HistogramBase AcceptNormal { get; } = LatencyHistograms.Create();

    /// <summary>Time from actually sending to the answer, all requests.</summary>
    public HistogramBase Service { get; } = LatencyHistograms.Create();

    /// <summary>How late the scheduler started requests.</summary>
    public HistogramBase SchedulerLag { get; } = LatencyHistograms.Create();

    /// <summary>Server-side accept → sent, sampled express messages.</summary>
    public HistogramBase Final { get; } = LatencyHistograms.Create();

    /// <summary>Failed answers by kind ("HTTP 429", "transport: …").</summary>
    public ConcurrentDictionary<string, long> Errors { get; } = new();

    /// <summary>The gateway's own accept histogram over the measured phase (<c>sms_accept_duration_milliseconds</c> from <c>/metrics</c>, all types):
    /// reserve + publish without HTTP, network or client time; null when the gateway serves no metrics.</summary>
    public ServerHistogram? ServerAccept { get; set; }

    /// <summary>Time zero of the timeline (Stopwatch timestamp).</summary>
    public long Origin { get; set; } = Stopwatch.GetTimestamp();

    /// <summary>Requests answered or failed.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>202 answers.</summary>
    public long Ok => Interlocked.Read(ref _ok);

    /// <summary>Answers that were not 202.</summary>
    public long Failed => Requests - Ok;

    /// <summary>5xx answers and transport failures.</summary>
    public long ServerErrors => Interlocked.Read(ref _serverErrors);

    /// <summary>Sampled messages that ended <c>failed</c> (not in <see cref="Final"/>).</summary>
    public long FinalFailed => Interlocked.Read(ref _finalFailed);

    /// <summary>Sampled messages not final when the wait ended.</summary>
    public long FinalMissing => Interlocked.Read(ref _finalMissing);

    /// <summary>Seconds from the first intended start to the last answer.</summary>
    public double ElapsedSeconds => _firstIntended == long.MaxValue ? 0 : Math.Max(1e-3, (double)(Interlocked.Read(ref _lastEnd) - _firstIntended) / Stopwatch.Frequency);

    /// <summary>202 answers per second over <see cref="ElapsedSeconds"/>.</summary>
    public double Throughput => ElapsedSeconds <= 0 ? 0 : Ok / ElapsedSeconds;

    /// <summary>Failed share of requests (0..1).</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Failed / Requests;

    /// <summary>The accept histogram thresholds use: express when there was any, else normal.</summary>
    public HistogramBase AcceptForBudget => AcceptExpress.TotalCount > 0 ? AcceptExpress : AcceptNormal;

    /// <summary>The used seconds of the timeline.</summary>
    public IReadOnlyList<TimelineBucket> Timeline => _timeline[..Math.Min(_timeline.Length, Volatile.Read(ref _timelineUsed))];

    /// <summary>Records one request.</summary>
    public void Record(bool express, long intended, long started, long ended, int status, string? error)
    {
        var ok = status == 202;
        Interlocked.Increment(ref _requests);
        if (ok) Interlocked.Increment(ref _ok);
        else
        {
            Errors.AddOrUpdate(error ?? $"HTTP {status}", 1, (_, v) => v + 1);
            if (status is 0 or >= 500) Interlocked.Increment(ref _serverErrors);
        }
        var accept = Micros(ended - intended);
        if (ok) (express ? AcceptExpress : AcceptNormal).RecordClamped(accept);
        Service.RecordClamped(Micros(ended - started));
        SchedulerLag.RecordClamped(Micros(started - intended));
        Min(ref _firstIntended, intended);
        Max(ref _lastEnd, ended);
        var second = (int)Math.Clamp((intended - Origin) / Stopwatch.Frequency, 0, _timeline.Length - 1);
        var bucket = _timeline[second];
        bucket.Count(ok);
        if (ok && (express || AcceptExpress.TotalCount == 0)) bucket.Latency.RecordClamped(accept);
        var used = second + 1;
        int cur;
        while (used > (cur = Volatile.Read(ref _timelineUsed)) && Interlocked.CompareExchange(ref _timelineUsed, used, cur) != cur) { }
    }

    /// <summary>Messages queued by batch requests (<see cref="ScenarioSpec.BatchSize"/> &gt; 0); single sends count in <see cref="Ok"/>.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Queued messages per second over <see cref="ElapsedSeconds"/> (batch scenarios), else <see cref="Throughput"/>.</summary>
    public double MessageThroughput => Messages == 0 ? Throughput : Messages / ElapsedSeconds;

    /// <summary>Users whose <c>available + reserved + spent</c> differed from what was charged after a batch scenario.</summary>
    public long MoneyMismatches { get; set; }

    /// <summary>Counts <paramref name="count"/> messages queued by one batch request.</summary>
    public void RecordMessages(int count) => Interlocked.Add(ref _messages, count);

    private long _messages;

    /// <summary>Records the server-side outcome of a sampled message: its accept→sent latency, or that it failed or never became final.</summary>
    public void RecordFinal(long? micros, bool failed)
    {
        if (micros is { } m) Final.RecordClamped(m);
        else if (failed) Interlocked.Increment(ref _finalFailed);
        else Interlocked.Increment(ref _finalMissing);
    }

    /// <summary>Converts Stopwatch ticks to microseconds (negative → 0).</summary>
    public static long Micros(long ticks) => Math.Max(0, (long)(ticks * 1_000_000.0 / Stopwatch.Frequency));

    private static void Min(ref long field, long value)
    {
        long cur;
        while (value < (cur = Interlocked.Read(ref field)) && Interlocked.CompareExchange(ref field, value, cur) != cur) { }
    }

    private static void Max(ref long field, long value)
    {
        long cur;
        while (value > (cur = Interlocked.Read(ref field)) && Interlocked.CompareExchange(ref field, value, cur) != cur) { }
    }
}
