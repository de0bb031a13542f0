using System.CommandLine;
using System.Text.Json;
using SmsGateway.Load.Api;
using SmsGateway.Load.Reporting;
using SmsGateway.Load.Replay;
using SmsGateway.Load.Scenarios;

namespace SmsGateway.Load.Runner;

/// <summary>The <c>run</c> and <c>smoke</c> commands: run scenarios against a gateway, write the reports, exit 1 when a threshold is breached.</summary>
public static class RunCommand
{
    private sealed record Common(Option<string> Url, Option<string> Profile, Option<string> Out, Option<int> Spin, Option<bool> Quiet, Option<string> ApiKey, Option<bool> ClientKeys)
    {
        public static Common Create() => new(
            new("--url") { Description = "Gateway base URL", DefaultValueFactory = _ => "http://127.0.0.1:7070" },
            Profiles(new("--profile") { Description = "Budgets: embedded (accept p99 2 ms, accept->sent 5 ms) or full (5 ms, 20 ms)", DefaultValueFactory = _ => "embedded" }),
            new("--out") { Description = "Report root directory (a <timestamp>/ folder is created in it)", DefaultValueFactory = _ => ReportWriter.DefaultRoot() },
            new("--spin-us") { Description = "Open-model scheduler sleeps until this many µs before an arrival, then spins (minimum and default 120; more = more client CPU)", DefaultValueFactory = _ => PreciseSleep.SpinWindowMicros },
            new("--no-progress") { Description = "No live progress line" },
            new("--api-key") { Description = "Admin API key sent as 'Authorization: Bearer' (default: env SMSGW_API_KEY; none for a host in open development mode)" },
            new("--client-keys") { Description = "Issue a client API key per load user (with --api-key) and send with it, so per-account limits apply" });

        private static Option<string> Profiles(Option<string> o)
        {
            o.AcceptOnlyFromAmong("embedded", "full");
            return o;
        }

        public void AddTo(Command c)
        {
            c.Options.Add(Url);
            c.Options.Add(Profile);
            c.Options.Add(Out);
            c.Options.Add(Spin);
            c.Options.Add(Quiet);
            c.Options.Add(ApiKey);
            c.Options.Add(ClientKeys);
        }
    }

    /// <summary>Builds <c>run</c>.</summary>
    public static Command CreateRun()
    {
        var scenario = new Option<string>("--scenario", "-s") { Description = $"{string.Join(", ", ScenarioCatalog.Names.Concat(ScenarioCatalog.NamedOnly))}, all, smoke, or a JSON file with a list of scenarios", DefaultValueFactory = _ => "express" };
        var rate = new Option<double>("--rate") { Description = "Arrival rate of the fixed-rate scenarios (req/s)", DefaultValueFactory = _ => 1000 };
        var duration = new Option<int>("--duration") { Description = "Measured seconds per scenario", DefaultValueFactory = _ => 30 };
        var warmUp = new Option<int>("--warmup") { Description = "Warm-up seconds per scenario", DefaultValueFactory = _ => 5 };
        var backlog = new Option<int>("--backlog") { Description = "Normal messages queued before the backlog scenario", DefaultValueFactory = _ => 100_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Virtual users of the closed scenario", DefaultValueFactory = _ => 32 };
        var burst = new Option<double>("--burst-factor") { Description = "Burst rate = rate x this", DefaultValueFactory = _ => 10 };
        var step = new Option<int>("--step") { Description = "Seconds per max-rate search step", DefaultValueFactory = _ => 10 };
        var maxRate = new Option<double>("--max-rate") { Description = "Upper bound of the max-rate search (req/s)", DefaultValueFactory = _ => 200_000 };
        var batchSize = new Option<int>("--batch-size") { Description = "Phones per /send/batch request of the batch scenario (1-1000)", DefaultValueFactory = _ => 1000 };
        var batchTarget = new Option<double>("--batch-target") { Description = "Floor of queued messages/s of the batch scenario", DefaultValueFactory = _ => 50_000 };
        var cmd = new Command("run", "Run load scenarios against a gateway, write Markdown/HTML/JSON reports, exit 1 when a budget is breached")
        {
            scenario, rate, duration, warmUp, backlog, concurrency, burst, step, maxRate, batchSize, batchTarget,
        };
        var common = Common.Create();
        common.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var settings = new CatalogSettings
            {
                Budgets = Budgets.For(p.GetValue(common.Profile)!), Rate = p.GetValue(rate), DurationSeconds = p.GetValue(duration), WarmUpSeconds = p.GetValue(warmUp),
                Backlog = p.GetValue(backlog), Concurrency = p.GetValue(concurrency), BurstFactor = p.GetValue(burst), StepSeconds = p.GetValue(step), MaxRate = p.GetValue(maxRate),
                BatchSize = p.GetValue(batchSize), BatchTarget = p.GetValue(batchTarget),
            };
            var name = p.GetValue(scenario)!;
            var specs = name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? JsonSerializer.Deserialize<List<ScenarioSpec>>(await File.ReadAllTextAsync(name, ct).ConfigureAwait(false), ApiJson.Options) ?? []
                : ScenarioCatalog.Get(name, settings);
            return await ExecuteAsync(p, common, specs, ct).ConfigureAwait(false);
        });
        return cmd;
    }

    /// <summary>Builds <c>smoke</c> (the CI scenario, about 30 s, no absolute-time threshold).</summary>
    public static Command CreateSmoke()
    {
        var rate = new Option<double>("--rate") { Description = "Arrival rate (req/s)", DefaultValueFactory = _ => 200 };
        var seconds = new Option<int>("--seconds") { Description = "Total seconds including warm-up", DefaultValueFactory = _ => 30 };
        var cmd = new Command("smoke", "CI smoke run (~30 s): fails on any error, on throughput below half the rate, or on a sampled message that never became final")
        {
            rate, seconds,
        };
        var common = Common.Create();
        common.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var settings = new CatalogSettings { Budgets = Budgets.For(p.GetValue(common.Profile)!), SmokeRate = p.GetValue(rate), SmokeSeconds = p.GetValue(seconds) };
            return await ExecuteAsync(p, common, [ScenarioCatalog.Smoke(settings)], ct).ConfigureAwait(false);
        });
        return cmd;
    }

    private static async Task<int> ExecuteAsync(ParseResult p, Common c, List<ScenarioSpec> specs, CancellationToken ct)
    {
        var url = ReplayCommand.WithSlash(new Uri(p.GetValue(c.Url)!));
        var options = new RunnerOptions { Url = url, SpinMicros = p.GetValue(c.Spin), Progress = !p.GetValue(c.Quiet), ApiKey = p.GetValue(c.ApiKey), ClientKeys = p.GetValue(c.ClientKeys) };
        try
        {
            var outcome = await RunScenariosAsync(options, specs, p.GetValue(c.Profile)!, p.GetValue(c.Out)!, [.. p.Tokens.Select(t => t.Value)], Console.Out, ct).ConfigureAwait(false);
            return outcome.Passed ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or ArgumentException or IOException)
        {
            await Console.Error.WriteLineAsync($"load run aborted: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>Runs <paramref name="specs"/> in order and writes the report. Used by the commands and the self-test.</summary>
    public static async Task<(bool Passed, string ReportDir, List<ScenarioResult> Results)> RunScenariosAsync(
        RunnerOptions options, List<ScenarioSpec> specs, string profile, string reportRoot, string[] args, TextWriter log, CancellationToken ct)
    {
        foreach (var s in specs) s.Validate();
        var info = RunInfo.Collect(options.Url.ToString(), profile, args, AppContext.BaseDirectory);
        using var client = new GatewayClient(options.Url, options.RequestTimeout, 4096, options.ApiKey);
        var runner = new ScenarioRunner(client, options, log);
        var results = new List<ScenarioResult>();
        var earlier = new Dictionary<string, ScenarioStats>();
        foreach (var spec in specs)
        {
            var result = await runner.RunAsync(spec, earlier, ct).ConfigureAwait(false);
            results.Add(result);
            earlier[spec.Name] = result.Stats;
            foreach (var t in result.Thresholds)
                log.WriteLine($"   [{(t.Passed ? "PASS" : "FAIL")}] {t.Metric} = {t.Value:0.####} (limit {t.Comparison} {t.Limit:0.####}, {t.Basis}){(t.Note is null ? "" : " " + t.Note)}");
            foreach (var n in result.Notes) log.WriteLine("   " + n);
        }
        var dir = await ReportWriter.WriteAsync(reportRoot, info, results, ct).ConfigureAwait(false);
        var passed = results.All(r => r.Passed);
        log.WriteLine($"report: {Path.Combine(dir, "report.md")} and report.html");
        log.WriteLine(passed ? "LOAD RUN PASSED" : $"LOAD RUN FAILED: {string.Join(", ", results.Where(r => !r.Passed).Select(r => r.Spec.Name))}");
        return (passed, dir, results);
    }
}
