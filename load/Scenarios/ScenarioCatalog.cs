using SmsGateway.Load.Runner;

namespace SmsGateway.Load.Scenarios;

/// <summary>
/// The built-in scenarios (issue 7 item 4), with DESIGN.md's budgets as thresholds. Rates, durations and sizes come from
/// <see cref="CatalogSettings"/> so one command per profile reproduces a report.
/// </summary>
public static class ScenarioCatalog
{
    /// <summary>Names accepted by <c>run --scenario</c>, in the order <c>all</c> runs them.</summary>
    public static readonly string[] Names = ["express", "mixed", "backlog", "burst", "ramp", "closed", "max-rate"];

    /// <summary>Scenarios run only when named (not part of <c>all</c>): <c>batch</c> (bulk send, <c>--batch-size</c>).</summary>
    public static readonly string[] NamedOnly = ["batch"];

    /// <summary>The scenarios for <paramref name="name"/> (<c>all</c> = every one of <see cref="Names"/>; a comma list
    /// such as <c>express,backlog</c> runs those in that order, so relative budgets find their reference).</summary>
    public static List<ScenarioSpec> Get(string name, CatalogSettings s)
    {
        if (name == "all") return [.. Names.Select(n => Build(n, s))];
        if (name == "smoke") return [Smoke(s)];
        return [.. name.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => Build(n, s))];
    }

    private static ScenarioSpec Build(string name, CatalogSettings s)
    {
        var b = s.Budgets;
        var duration = TimeSpan.FromSeconds(s.DurationSeconds);
        var warmUp = TimeSpan.FromSeconds(s.WarmUpSeconds);
        Threshold[] express = [new("accept_p99_ms", b.AcceptP99Ms), new("final_p99_ms", b.FinalP99Ms), new("error_rate", 0.001), new("final_missing", 0)];
        return name switch
        {
            "express" => new ScenarioSpec
            {
                Name = "express", Description = $"express only at a constant {s.Rate:F0} req/s (open model)",
                Model = LoadModel.ConstantRate(s.Rate, duration), WarmUp = warmUp, ExpressShare = 1, Thresholds = express,
            },
            "mixed" => new ScenarioSpec
            {
                Name = "mixed", Description = $"30% express / 70% normal at a constant {s.Rate:F0} req/s; budgets on express",
                Model = LoadModel.ConstantRate(s.Rate, duration), WarmUp = warmUp, ExpressShare = 0.3, Thresholds = express,
            },
            "backlog" => new ScenarioSpec
            {
                Name = "backlog", Description = $"express at {s.Rate:F0} req/s after {s.Backlog:N0} normal messages were queued; budget {b.BacklogFactor}x the unloaded express figures",
                Model = LoadModel.ConstantRate(s.Rate, duration), WarmUp = warmUp, ExpressShare = 1, Backlog = s.Backlog,
                Thresholds =
                [
                    new("accept_p99_ms", b.BacklogFactor, "express", b.BacklogFactor * b.AcceptP99Ms),
                    new("final_p99_ms", b.BacklogFactor, "express", b.BacklogFactor * b.FinalP99Ms),
                    new("error_rate", 0.001), new("final_missing", 0),
                ],
            },
            "burst" => new ScenarioSpec
            {
                Name = "burst", Description = $"{s.Rate:F0} req/s, a 3 s burst at {s.Rate * s.BurstFactor:F0} req/s, then back; no 5xx, every sampled message final",
                Model = new LoadModel
                {
                    Stages = [RateStage.Constant(s.Rate, TimeSpan.FromSeconds(5)), RateStage.Constant(s.Rate * s.BurstFactor, TimeSpan.FromSeconds(3)), RateStage.Constant(s.Rate, TimeSpan.FromSeconds(10))],
                },
                WarmUp = warmUp, ExpressShare = 0.5, Thresholds = [new("server_errors", 0), new("final_missing", 0)],
            },
            "ramp" => new ScenarioSpec
            {
                Name = "ramp", Description = $"ramping arrival rate {s.Rate / 10:F0} -> {s.Rate * 2:F0} req/s over {duration.TotalSeconds:F0} s; no 5xx",
                Model = new LoadModel { Stages = [new RateStage(duration, s.Rate / 10, s.Rate * 2)] },
                WarmUp = warmUp, ExpressShare = 0.5, Thresholds = [new("server_errors", 0), new("final_missing", 0)],
            },
            "closed" => new ScenarioSpec
            {
                Name = "closed", Description = $"closed model: {s.Concurrency} virtual users sending back to back (saturation throughput)",
                Model = LoadModel.Closed(s.Concurrency, duration), WarmUp = warmUp, ExpressShare = 0.5, Thresholds = [new("server_errors", 0)],
            },
            "max-rate" => new ScenarioSpec
            {
                Name = "max-rate", Description = $"highest express rate whose accept and accept->sent p99 stay within budget (steps of {s.StepSeconds} s from {s.Rate / 4:F0} req/s, x1.5)",
                Model = LoadModel.ConstantRate(s.Rate, duration), WarmUp = warmUp, ExpressShare = 1,
                Search = new RateSearch
                {
                    StartRate = Math.Max(10, s.Rate / 4), Factor = 1.5, MaxRate = s.MaxRate, StepDuration = TimeSpan.FromSeconds(s.StepSeconds),
                    Budget = [new("accept_p99_ms", b.AcceptP99Ms), new("final_p99_ms", b.FinalP99Ms), new("error_rate", 0.001)],
                },
            },
            "batch" => new ScenarioSpec
            {
                Name = "batch", Description = $"bulk send: {s.Concurrency} virtual users posting /send/batch of {s.BatchSize} phones back to back (closed model); " +
                    $"queued msg/s >= {s.BatchTarget:F0}, no 5xx, every user's money adds up",
                Model = LoadModel.Closed(s.Concurrency, duration), WarmUp = warmUp, ExpressShare = 0, FinalSample = 0, BatchSize = s.BatchSize,
                Thresholds = [new("server_errors", 0), new("money_mismatches", 0), new("min_msg_throughput", s.BatchTarget)],
            },
            _ => throw new ArgumentException($"unknown scenario '{name}' (known: {string.Join(", ", Names.Concat(NamedOnly))}, all, smoke, or a .json file)"),
        };
    }

    /// <summary>The CI smoke scenario: about 30 s, mixed traffic, no absolute-time threshold; fails on any error, on too little throughput or on a sampled message that never became final.</summary>
    public static ScenarioSpec Smoke(CatalogSettings s) => new()
    {
        Name = "smoke", Description = $"CI smoke: {s.SmokeRate:F0} req/s mixed for {s.SmokeSeconds} s; errors == 0, throughput >= half the rate, sampled messages final",
        Model = LoadModel.ConstantRate(s.SmokeRate, TimeSpan.FromSeconds(Math.Max(1, s.SmokeSeconds - 3))), WarmUp = TimeSpan.FromSeconds(Math.Min(3, s.SmokeSeconds / 10.0)),
        ExpressShare = 0.5, FinalSample = 500, Users = 4,
        Thresholds = [new("error_rate", 0), new("min_throughput", s.SmokeRate * 0.5), new("final_missing", 0)],
    };
}
