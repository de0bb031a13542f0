using System.Diagnostics;
using System.Globalization;
using SmsGateway.Load.Api;

namespace SmsGateway.Load.Runner;

/// <summary>Runs <see cref="ScenarioSpec"/>s against a gateway over HTTP (see the spec for the phases). One instance per run; scenarios run one after another.</summary>
public sealed partial class ScenarioRunner(GatewayClient client, RunnerOptions options, TextWriter log)
{
    private int _scenarioIndex;

    /// <summary>Runs one scenario. <paramref name="earlier"/> holds the stats of scenarios already run (for relative thresholds).
    /// Throws <see cref="InvalidOperationException"/> when the load users cannot be charged.</summary>
    public async Task<ScenarioResult> RunAsync(ScenarioSpec spec, IReadOnlyDictionary<string, ScenarioStats> earlier, CancellationToken ct)
    {
        spec.Validate();
        var startedAt = DateTimeOffset.UtcNow;
        var index = Interlocked.Increment(ref _scenarioIndex);
        var users = Enumerable.Range(0, spec.Users).Select(u => $"lt{options.Tag}s{index}u{u}").ToList();
        foreach (var u in users) await ChargeAsync(u, options.ChargePerUser, ct).ConfigureAwait(false);
        if (options.ClientKeys) foreach (var u in users) await client.UseClientKeyAsync(u, ct).ConfigureAwait(false);
        var mix = new TrafficMix(users, spec.ExpressShare, index);
        var notes = new List<string>();
        log.WriteLine($"== {spec.Name}: {spec.Description}");

        if (spec.WarmUp > TimeSpan.Zero)
        {
            log.WriteLine($"   warm-up {spec.WarmUp.TotalSeconds:F0} s");
            await MeasureAsync(spec with { Name = spec.Name + " warm-up", FinalSample = 0 }, WarmUpModel(spec), mix, ct).ConfigureAwait(false);
        }
        if (spec.Backlog > 0) notes.AddRange(await EnqueueBacklogAsync(spec.Backlog, $"lt{options.Tag}s{index}backlog", ct).ConfigureAwait(false));

        if (spec.Search is { } search)
        {
            var (best, steps) = await SearchAsync(spec, search, mix, earlier, ct).ConfigureAwait(false);
            var bestRate = steps.LastOrDefault(s => s.WithinBudget)?.Rate;
            notes.Add(bestRate is { } r ? $"highest rate within budget: {r:F0} req/s (throughput {steps.Last(s => s.WithinBudget).Throughput:F0} accepted/s)" : "no step stayed within budget");
            return new ScenarioResult(spec, best, [.. spec.Thresholds.Select(t => t.Evaluate(best, earlier))], notes, startedAt, steps);
        }

        var stats = await MeasureAsync(spec, spec.Model, mix, ct).ConfigureAwait(false);
        if (ServerAcceptNote(stats) is { } serverNote) notes.Add(serverNote);
        if (spec.BatchSize > 0) notes.AddRange(await CheckBatchRunAsync(stats, users, ct).ConfigureAwait(false));
        if (spec.Backlog > 0) notes.Add($"backlog still waiting after the measured phase: {await WaitingAsync($"lt{options.Tag}s{index}backlog", ct).ConfigureAwait(false)}");
        var thresholds = spec.Thresholds.Select(t => t.Evaluate(stats, earlier)).ToList();
        return new ScenarioResult(spec, stats, thresholds, notes, startedAt, []);
    }

    private static LoadModel WarmUpModel(ScenarioSpec spec)
    {
        if (spec.Model.Kind == "closed") return spec.Model with { Duration = spec.WarmUp };
        var first = spec.Model.Stages[0].StartRate;
        var rate = spec.Search?.StartRate ?? (first > 0 ? first : spec.Model.Stages.Max(s => s.EndRate));
        return spec.Model with { Stages = [RateStage.Constant(Math.Max(1, rate), spec.WarmUp)] };
    }

    private async Task<(ScenarioStats Best, List<SearchStep> Steps)> SearchAsync(ScenarioSpec spec, RateSearch search, TrafficMix mix, IReadOnlyDictionary<string, ScenarioStats> earlier, CancellationToken ct)
    {
        var steps = new List<SearchStep>();
        ScenarioStats? best = null, last = null;
        for (var rate = search.StartRate; rate <= search.MaxRate; rate *= search.Factor)
        {
            var stepSpec = spec with { Name = $"{spec.Name} @{rate:F0}/s", FinalSample = Math.Min(spec.FinalSample, 500), FinalWaitSeconds = Math.Min(spec.FinalWaitSeconds, 30) };
            last = await MeasureAsync(stepSpec, LoadModel.ConstantRate(rate, search.StepDuration) with { MaxInFlight = spec.Model.MaxInFlight }, mix, ct).ConfigureAwait(false);
            var verdicts = search.Budget.Select(t => t.Evaluate(last, earlier)).ToList();
            var within = verdicts.All(v => v.Passed);
            var why = within ? "within budget" : string.Join("; ", verdicts.Where(v => !v.Passed).Select(v => $"{v.Metric} {v.Value:0.###} > {v.Limit:0.###}"));
            steps.Add(new SearchStep(rate, last.Throughput, Threshold.Measure("accept_p99_ms", last), Threshold.Measure("final_p99_ms", last), last.ErrorRate, within, why));
            log.WriteLine($"   step {rate:F0}/s: {last.Throughput:F0} accepted/s, accept p99 {steps[^1].AcceptP99Ms:F2} ms, final p99 {steps[^1].FinalP99Ms:F2} ms, errors {last.ErrorRate:P2}, server-side accept p99 {(last.ServerAccept is { Count: > 0 } sa ? "≤ " + ServerHistogram.Format(sa.UpperBoundAt(99)) + " ms" : "not read")} -> {why}");
            if (!within) break;
            best = last;
        }
        return (best ?? last ?? new ScenarioStats(TimeSpan.Zero), steps);
    }

    private async Task ChargeAsync(string user, long amount, CancellationToken ct)
    {
        var (status, _, problem) = await client.ChargeAsync(user, amount.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        if (status != 200) throw new InvalidOperationException($"charging {user} {amount} answered {status}: {problem?.Reason()}");
    }

    private async Task<List<string>> EnqueueBacklogAsync(int count, string user, CancellationToken ct)
    {
        await ChargeAsync(user, (long)count * 1250 * 2, ct).ConfigureAwait(false);
        log.WriteLine($"   enqueueing a backlog of {count:N0} normal messages");
        var mix = new TrafficMix([user], 0, 99);
        long ok = 0, failed = 0;
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, async (_, token) =>
        {
            var m = mix.Next();
            while (true)
            {
                var o = await client.SendAsync(m.User, m.Phone, m.Text, m.Type, null, token).ConfigureAwait(false);
                if (o.IsThrottled) { await Task.Delay(o.RetryAfter is { } ra && ra > TimeSpan.Zero ? TimeSpan.FromMilliseconds(Math.Min(ra.TotalMilliseconds, 1000)) : TimeSpan.FromMilliseconds(20), token).ConfigureAwait(false); continue; }
                Interlocked.Increment(ref o.StatusCode == 202 ? ref ok : ref failed);
                break;
            }
        }).ConfigureAwait(false);
        var waiting = await WaitingAsync(user, ct).ConfigureAwait(false);
        var note = $"backlog: {ok:N0} normal messages accepted ({failed:N0} refused) in {sw.Elapsed.TotalSeconds:F1} s ({ok / sw.Elapsed.TotalSeconds:F0}/s); still waiting when express measurement began: {waiting}";
        return [note];
    }

    /// <summary>How many of a user's messages are not final yet, from the report's counts.</summary>
    private async Task<string> WaitingAsync(string user, CancellationToken ct)
    {
        try
        {
            var page = await client.ReportAsync(user, null, 1, null, ct).ConfigureAwait(false);
            var waiting = new[] { "accepted", "queued", "sending", "retrying" }.Sum(s => page.Counts.GetValueOrDefault(s));
            return waiting.ToString("N0", CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException e) { return $"unknown ({e.Message})"; }
    }
}
