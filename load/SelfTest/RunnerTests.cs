using System.Diagnostics;
using HdrHistogram;
using SmsGateway.Load.Histogram;
using SmsGateway.Load.Runner;
using SmsGateway.Load.Scenarios;
using static SmsGateway.Load.SelfTest.SelfTestFailure;

namespace SmsGateway.Load.SelfTest;

/// <summary>Load-runner cases: arrival schedules, coordinated-omission-free timing, closed model, thresholds, rate search, reports (against the fake gateway).
/// Bounds are loose on purpose: the machine may be busy.</summary>
public static class RunnerTests
{
    /// <summary>All runner cases.</summary>
    public static IEnumerable<(string Name, Func<CancellationToken, Task> Run)> Cases()
    {
        yield return ("schedule: constant and ramping arrival rates", _ =>
        {
            var constant = ArrivalSchedule.Offsets([RateStage.Constant(100, TimeSpan.FromSeconds(2))]).ToList();
            Assert(constant.Count == 200, $"100/s for 2 s must give 200 arrivals, got {constant.Count}");
            Assert(constant.Zip(constant.Skip(1)).All(p => Math.Abs((p.Second - p.First).TotalMilliseconds - 10) < 0.01), "arrivals must be 10 ms apart");
            var ramp = ArrivalSchedule.Offsets([new RateStage(TimeSpan.FromSeconds(2), 0, 100)]).ToList();
            Assert(Math.Abs(ramp.Count - 100) <= 1, $"0 -> 100/s over 2 s must give ~100 arrivals, got {ramp.Count}");
            var firstSecond = ramp.Count(t => t < TimeSpan.FromSeconds(1));
            Assert(Math.Abs(firstSecond - 25) <= 1, $"a linear ramp puts a quarter of the arrivals in its first half, got {firstSecond}");
            var staged = ArrivalSchedule.Offsets([RateStage.Constant(10, TimeSpan.FromSeconds(1)), RateStage.Constant(100, TimeSpan.FromSeconds(1))]).ToList();
            Assert(staged.Count == 110 && staged.Zip(staged.Skip(1)).All(p => p.Second > p.First), "stages must follow each other in order");
            return Task.CompletedTask;
        });
        yield return ("scenarios: every built-in scenario validates and round-trips through JSON", _ =>
        {
            foreach (var profile in new[] { "embedded", "full" })
            {
                var specs = ScenarioCatalog.Get("all", new CatalogSettings { Budgets = Budgets.For(profile) });
                Assert(specs.Select(s => s.Name).SequenceEqual(ScenarioCatalog.Names), "all = every named scenario in order");
                var json = System.Text.Json.JsonSerializer.Serialize(specs, Api.ApiJson.Options);
                var back = System.Text.Json.JsonSerializer.Deserialize<List<ScenarioSpec>>(json, Api.ApiJson.Options)!;
                Assert(back.Count == specs.Count && back.All(s => s.Validate() is not null), "round trip");
                Assert(back.Zip(specs).All(p => p.First.Model.TotalDuration == p.Second.Model.TotalDuration && p.First.Thresholds.SequenceEqual(p.Second.Thresholds)), "models and thresholds survive the round trip");
                var budget = profile == "full" ? 5.0 : 2.0;
                Assert(specs[0].Thresholds.Any(t => t.Metric == "accept_p99_ms" && t.Limit == budget), $"{profile}: express accept budget {budget} ms");
            }
            var example = Path.Combine(AppContext.BaseDirectory, "scenarios.example.json");
            if (File.Exists(example))
                foreach (var s in System.Text.Json.JsonSerializer.Deserialize<List<ScenarioSpec>>(File.ReadAllText(example), Api.ApiJson.Options)!) s.Validate();
            return Task.CompletedTask;
        });
        yield return ("open model: latency counts from the intended start (no coordinated omission)", async ct =>
        {
            // A server that takes 20 ms and serves one request at a time, offered 100/s: requests queue up behind each other.
            var stats = new ScenarioStats(TimeSpan.FromSeconds(1));
            var model = LoadModel.ConstantRate(100, TimeSpan.FromSeconds(1)) with { MaxInFlight = 1 };
            await LoadEngine.RunAsync(model, async intended =>
            {
                var started = Stopwatch.GetTimestamp();
                await Task.Delay(20, ct).ConfigureAwait(false);
                stats.Record(true, intended, started, Stopwatch.GetTimestamp(), 202, null);
            }, 0, ct).ConfigureAwait(false);
            Assert(stats.Requests == 100, $"every scheduled request must run, got {stats.Requests}");
            var accept = stats.AcceptExpress;
            Assert(accept.GetMaxValue() >= 800_000, $"the last request waited about a second for its turn; max accept latency was {accept.GetMaxValue() / 1000.0:F1} ms");
            Assert(accept.ValueAtPercentileOrZero(99) > 3 * stats.Service.ValueAtPercentileOrZero(50), $"accept p99 {accept.ValueAtPercentileOrZero(99) / 1000.0:F1} ms must dwarf the service time {stats.Service.ValueAtPercentileOrZero(50) / 1000.0:F1} ms");
            Assert(stats.SchedulerLag.ValueAtPercentileOrZero(99) >= 500_000, "the lag behind schedule must be visible");
        });
        yield return ("open model: keeps the offered rate", async ct =>
        {
            var stats = new ScenarioStats(TimeSpan.FromSeconds(2));
            var sw = Stopwatch.StartNew();
            await LoadEngine.RunAsync(LoadModel.ConstantRate(500, TimeSpan.FromSeconds(2)), intended =>
            {
                var now = Stopwatch.GetTimestamp();
                stats.Record(true, intended, now, now, 202, null);
                return Task.CompletedTask;
            }, 1500, ct).ConfigureAwait(false);
            Assert(stats.Requests == 1000, $"500/s for 2 s must fire 1000 requests, got {stats.Requests}");
            Assert(sw.Elapsed.TotalSeconds is > 1.95 and < 4, $"took {sw.Elapsed.TotalSeconds:F2} s");
            Assert(stats.Timeline.Count is 2 or 3, $"timeline of {stats.Timeline.Count} seconds");
        });
        yield return ("closed model: fixed concurrency", async ct =>
        {
            var inFlight = 0;
            var maxInFlight = 0;
            var count = 0;
            await LoadEngine.RunAsync(LoadModel.Closed(4, TimeSpan.FromSeconds(1)), async _ =>
            {
                var n = Interlocked.Increment(ref inFlight);
                int cur;
                while (n > (cur = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, n, cur) != cur) { }
                await Task.Delay(10, ct).ConfigureAwait(false);
                Interlocked.Decrement(ref inFlight);
                Interlocked.Increment(ref count);
            }, 0, ct).ConfigureAwait(false);
            Assert(maxInFlight == 4, $"at most and at least 4 in flight, saw {maxInFlight}");
            Assert(count is >= 20 and <= 420, $"4 users x 1 s / 10 ms = ~400 requests, got {count}");
        });
        yield return ("thresholds: absolute, relative to an earlier scenario, fallback, floor", _ =>
        {
            static ScenarioStats With(long micros, int n)
            {
                var s = new ScenarioStats(TimeSpan.FromSeconds(1));
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < n; i++) s.Record(true, t0, t0, t0 + micros * Stopwatch.Frequency / 1_000_000, 202, null);
                return s;
            }
            var baseline = With(1000, 100);
            var slow = With(3000, 100);
            Assert(new Threshold("accept_p99_ms", 2).Evaluate(baseline, new Dictionary<string, ScenarioStats>()).Passed, "1 ms <= 2 ms");
            Assert(!new Threshold("accept_p99_ms", 2).Evaluate(slow, new Dictionary<string, ScenarioStats>()).Passed, "3 ms > 2 ms");
            var relative = new Threshold("accept_p99_ms", 2, "express", 10);
            var r = relative.Evaluate(slow, new Dictionary<string, ScenarioStats> { ["express"] = baseline });
            Assert(!r.Passed && Math.Abs(r.Limit - 2.0) < 0.05, $"2 x baseline 1 ms = 2 ms limit, got {r.Limit} passed={r.Passed}");
            Assert(relative.Evaluate(slow, new Dictionary<string, ScenarioStats>()).Passed, "fallback limit 10 ms when the baseline did not run");
            Assert(!new Threshold("final_p99_ms", 100).Evaluate(slow, new Dictionary<string, ScenarioStats>()).Passed, "no final samples must not pass");
            Assert(!new Threshold("min_throughput", 1e9).Evaluate(slow, new Dictionary<string, ScenarioStats>()).Passed, "a throughput floor must fail when not reached");
            return Task.CompletedTask;
        });
        yield return ("runner: smoke against a correct gateway passes and writes the reports", async ct =>
        {
            await using var fake = new FakeGateway(new FakeFaults());
            var root = Path.Combine(Path.GetTempPath(), "load-selftest-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var spec = ScenarioCatalog.Smoke(new CatalogSettings { SmokeRate = 100, SmokeSeconds = 5 });
                var (passed, dir, results) = await RunCommand.RunScenariosAsync(new RunnerOptions { Url = fake.Url, Progress = false, SpinMicros = 0 }, [spec], "embedded", root, ["selftest"], TextWriter.Null, ct).ConfigureAwait(false);
                var s = results[0].Stats;
                Assert(passed, "smoke must pass: " + string.Join("; ", results[0].Thresholds.Where(t => !t.Passed).Select(t => $"{t.Metric}={t.Value}")));
                Assert(s.Requests == 200 && s.Ok == 200, $"100/s for 2 s: {s.Requests} requests, {s.Ok} ok");
                Assert(s.AcceptExpress.TotalCount is > 50 and < 150 && s.AcceptNormal.TotalCount > 50, "about half express, half normal");
                Assert(s.Final.TotalCount + s.FinalFailed > 50, $"final samples: {s.Final.TotalCount} sent, {s.FinalFailed} failed");
                var md = await File.ReadAllTextAsync(Path.Combine(dir, "report.md"), ct).ConfigureAwait(false);
                var html = await File.ReadAllTextAsync(Path.Combine(dir, "report.html"), ct).ConfigureAwait(false);
                Assert(md.Contains("| smoke | pass |", StringComparison.Ordinal) && md.Contains("accept -> sent", StringComparison.Ordinal) && md.Contains("cores", StringComparison.Ordinal), "report.md content");
                Assert(html.Split("<svg").Length - 1 == 3 && html.Contains("<path d=\"M", StringComparison.Ordinal) && !html.Contains("<script", StringComparison.Ordinal), "report.html must hold three inline plots and no script");
                Assert(File.Exists(Path.Combine(dir, "results.json")), "results.json");
            }
            finally { if (Directory.Exists(root)) Directory.Delete(root, true); }
        });
        yield return ("runner: a slow gateway breaks the accept budget and fails the run", async ct =>
        {
            await using var fake = new FakeGateway(new FakeFaults { SendDelayMs = 30 });
            var root = Path.Combine(Path.GetTempPath(), "load-selftest-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var spec = ScenarioCatalog.Get("express", new CatalogSettings { Rate = 50, DurationSeconds = 2, WarmUpSeconds = 0 })[0] with { FinalSample = 50 };
                var (passed, _, results) = await RunCommand.RunScenariosAsync(new RunnerOptions { Url = fake.Url, Progress = false, SpinMicros = 0 }, [spec], "embedded", root, ["selftest"], TextWriter.Null, ct).ConfigureAwait(false);
                var accept = results[0].Thresholds.Single(t => t.Metric == "accept_p99_ms");
                Assert(!passed && !accept.Passed && accept.Value >= 30, $"accept p99 {accept.Value} ms must breach 2 ms and fail the run");
            }
            finally { if (Directory.Exists(root)) Directory.Delete(root, true); }
        });
        yield return ("runner: rate search stops at the first step over budget", async ct =>
        {
            // One request at a time for 4 ms: about 250 req/s of capacity.
            await using var fake = new FakeGateway(new FakeFaults { SerializeSendsMs = 4 });
            var root = Path.Combine(Path.GetTempPath(), "load-selftest-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var spec = new ScenarioSpec
                {
                    Name = "search", WarmUp = TimeSpan.FromSeconds(1), FinalSample = 20, Users = 2,
                    Search = new RateSearch { StartRate = 50, Factor = 2, MaxRate = 1600, StepDuration = TimeSpan.FromSeconds(2), Budget = [new("accept_p99_ms", 250)] },
                };
                var (_, _, results) = await RunCommand.RunScenariosAsync(new RunnerOptions { Url = fake.Url, Progress = false, SpinMicros = 0 }, [spec], "embedded", root, ["selftest"], TextWriter.Null, ct).ConfigureAwait(false);
                var steps = results[0].Steps;
                Assert(steps.Count >= 2 && !steps[^1].WithinBudget && steps.SkipLast(1).All(s => s.WithinBudget), $"steps: {string.Join(", ", steps.Select(s => $"{s.Rate}:{s.WithinBudget}"))}");
                Assert(steps[^1].Rate <= 800, $"a 250/s server must break the budget by 800/s, broke at {steps[^1].Rate}");
                Assert(results[0].Notes.Any(n => n.StartsWith("highest rate within budget", StringComparison.Ordinal)), "the highest rate must be reported");
            }
            finally { if (Directory.Exists(root)) Directory.Delete(root, true); }
        });
    }
}
