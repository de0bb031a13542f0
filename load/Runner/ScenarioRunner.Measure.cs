using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;
using SmsGateway.Load.Api;
using SmsGateway.Load.Histogram;

namespace SmsGateway.Load.Runner;

public sealed partial class ScenarioRunner
{
    private const string AcceptMetric = "sms_accept_duration_milliseconds";

    /// <summary>"server-side accept …" for the notes, or null when the gateway's metrics were not read.</summary>
    private static string? ServerAcceptNote(ScenarioStats stats) => stats.ServerAccept is { Count: > 0 } h
        ? $"server-side accept (reserve + publish, without HTTP; {AcceptMetric} bucket bounds, {h.Count:N0} requests): p50 ≤ {ServerHistogram.Format(h.UpperBoundAt(50))} ms, p99 ≤ {ServerHistogram.Format(h.UpperBoundAt(99))} ms, p99.9 ≤ {ServerHistogram.Format(h.UpperBoundAt(99.9))} ms"
        : null;

    private async Task<ScenarioStats> MeasureAsync(ScenarioSpec spec, LoadModel model, TrafficMix mix, CancellationToken ct)
    {
        var stats = new ScenarioStats(model.TotalDuration);
        var sample = new List<string>();
        var sampleLock = new object();
        long seen = 0;
        var rng = new Random(17);
        var metricsBefore = await client.MetricsTextAsync(ct).ConfigureAwait(false);
        stats.Origin = Stopwatch.GetTimestamp();
        await using (new ProgressLine(spec.Name, stats, model.TotalDuration, log, options.Progress))
        {
            await LoadEngine.RunAsync(model, async intended =>
            {
                var started = Stopwatch.GetTimestamp();
                if (spec.BatchSize > 0)
                {
                    await SendBatchAsync(spec.BatchSize, mix, stats, intended, started, ct).ConfigureAwait(false);
                    return;
                }

                var m = mix.Next();
                var outcome = await client.SendAsync(m.User, m.Phone, m.Text, m.Type, null, ct).ConfigureAwait(false);
                stats.Record(m.Express, intended, started, Stopwatch.GetTimestamp(), outcome.StatusCode,
                    outcome.StatusCode == 0 ? "transport: " + outcome.Error?.Split(':')[0] : outcome.StatusCode == 202 ? null : $"HTTP {outcome.StatusCode} {outcome.Problem?.Title}".TrimEnd());
                if (spec.FinalSample > 0 && outcome.Accepted is { } a && (m.Express || spec.ExpressShare == 0))
                    lock (sampleLock)
                    {
                        // Reservoir sampling (Algorithm R): every accepted message has the same chance to be in the sample.
                        seen++;
                        if (sample.Count < spec.FinalSample) sample.Add(a.Id);
                        else if (rng.NextInt64(seen) is var j && j < spec.FinalSample) sample[(int)j] = a.Id;
                    }
            }, options.SpinMicros, ct, stats.Origin).ConfigureAwait(false);
        }
        if (metricsBefore is not null && await client.MetricsTextAsync(ct).ConfigureAwait(false) is { } metricsAfter)
            stats.ServerAccept = ServerHistogram.Parse(metricsAfter, AcceptMetric).Since(ServerHistogram.Parse(metricsBefore, AcceptMetric));
        log.WriteLine($"   {spec.Name}: {stats.Requests:N0} requests, {stats.Ok:N0} accepted, {stats.Failed:N0} failed, {stats.Throughput:F0} accepted/s, " +
                      $"accept p50 {stats.AcceptForBudget.ValueAtPercentileOrZero(50) / 1000.0:F2} ms p99 {stats.AcceptForBudget.ValueAtPercentileOrZero(99) / 1000.0:F2} ms max {stats.AcceptForBudget.GetMaxValue() / 1000.0:F2} ms, scheduler lag p99 {stats.SchedulerLag.ValueAtPercentileOrZero(99) / 1000.0:F2} ms");
        if (sample.Count > 0)
        {
            await FetchFinalsAsync(sample, stats, TimeSpan.FromSeconds(spec.FinalWaitSeconds), ct).ConfigureAwait(false);
            log.WriteLine($"   {spec.Name}: accept->sent (server) over {stats.Final.TotalCount:N0} samples: p50 {stats.Final.ValueAtPercentileOrZero(50) / 1000.0:F2} ms p99 {stats.Final.ValueAtPercentileOrZero(99) / 1000.0:F2} ms; failed {stats.FinalFailed}, not final {stats.FinalMissing}");
        }
        return stats;
    }

    /// <summary>Polls <c>/messages/{id}</c> for the sampled ids until each is final or <paramref name="wait"/> ends; records sent-event time − accepted_at.</summary>
    private async Task FetchFinalsAsync(List<string> ids, ScenarioStats stats, TimeSpan wait, CancellationToken ct)
    {
        var pending = new ConcurrentDictionary<string, bool>(ids.Select(i => KeyValuePair.Create(i, true)));
        var deadline = Stopwatch.StartNew();
        while (!pending.IsEmpty)
        {
            await Parallel.ForEachAsync(pending.Keys.ToList(), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (id, token) =>
            {
                MessageDetail? d;
                try { d = await client.MessageAsync(id, token).ConfigureAwait(false); }
                catch (HttpRequestException) { return; }
                if (d is null) return;
                var sent = d.History.FirstOrDefault(h => h.Status == "sent");
                if (sent is not null || Replay.ReplayRunner.Charged.Contains(d.Message.Status))
                {
                    var at = sent?.At ?? d.Message.UpdatedAt;
                    stats.RecordFinal((long)((at - d.Message.AcceptedAt).TotalMicroseconds), false);
                    pending.TryRemove(id, out _);
                }
                else if (d.Message.Status == "failed")
                {
                    stats.RecordFinal(null, true);
                    pending.TryRemove(id, out _);
                }
            }).ConfigureAwait(false);
            if (pending.IsEmpty || deadline.Elapsed > wait) break;
            await Task.Delay(200, ct).ConfigureAwait(false);
        }
        foreach (var _ in pending.Keys) stats.RecordFinal(null, false);
    }
}
