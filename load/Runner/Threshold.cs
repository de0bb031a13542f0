using SmsGateway.Load.Histogram;

namespace SmsGateway.Load.Runner;

/// <summary>
/// A budget that fails the run when breached. Metrics: <c>accept_p99_ms</c>, <c>accept_p999_ms</c>, <c>final_p99_ms</c> (express when present),
/// <c>error_rate</c> (share of non-202 answers, 0..1), <c>server_errors</c> (5xx + transport failures, count), <c>final_missing</c> (sampled messages never final, count),
/// <c>min_throughput</c> (202/s, a floor), <c>min_msg_throughput</c> (queued messages/s of a batch scenario, a floor), <c>money_mismatches</c> (users whose balance
/// does not add up to what was charged, count). With <see cref="RelativeTo"/> the limit is <see cref="Limit"/> × the same metric of that scenario earlier in the run,
/// or <see cref="Fallback"/> when it did not run.
/// </summary>
public sealed record Threshold(string Metric, double Limit, string? RelativeTo = null, double? Fallback = null)
{
    /// <summary>Known metric names.</summary>
    public static readonly string[] Metrics = ["accept_p99_ms", "accept_p999_ms", "final_p99_ms", "error_rate", "server_errors", "final_missing", "min_throughput", "min_msg_throughput", "money_mismatches"];

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="metric"/> is not one of <see cref="Metrics"/>.</summary>
    public static void EnsureKnown(string metric)
    {
        if (Array.IndexOf(Metrics, metric) < 0) throw new ArgumentException($"unknown metric '{metric}' (known: {string.Join(", ", Metrics)})");
    }

    /// <summary>The measured value of <paramref name="metric"/> in <paramref name="stats"/> (ms, a 0..1 rate, a count or req/s).
    /// Throws <see cref="ArgumentException"/> for an unknown metric.</summary>
    public static double Measure(string metric, ScenarioStats stats) => metric switch
    {
        "accept_p99_ms" => stats.AcceptForBudget.ValueAtPercentileOrZero(99) / 1000.0,
        "accept_p999_ms" => stats.AcceptForBudget.ValueAtPercentileOrZero(99.9) / 1000.0,
        "final_p99_ms" => stats.Final.ValueAtPercentileOrZero(99) / 1000.0,
        "error_rate" => stats.ErrorRate,
        "server_errors" => stats.ServerErrors,
        "final_missing" => stats.FinalMissing,
        "min_throughput" => stats.Throughput,
        "min_msg_throughput" => stats.MessageThroughput,
        "money_mismatches" => stats.MoneyMismatches,
        _ => throw new ArgumentException($"unknown metric '{metric}' (known: {string.Join(", ", Metrics)})"),
    };

    /// <summary>Evaluates the threshold. <paramref name="earlier"/> holds the stats of scenarios already run, by name.</summary>
    public ThresholdResult Evaluate(ScenarioStats stats, IReadOnlyDictionary<string, ScenarioStats> earlier)
    {
        var limit = Limit;
        var basis = "absolute";
        if (RelativeTo is not null)
        {
            if (earlier.TryGetValue(RelativeTo, out var baseline) && (Metric != "final_p99_ms" || baseline.Final.TotalCount > 0))
            {
                limit = Limit * Measure(Metric, baseline);
                basis = $"{Limit:0.##} x {RelativeTo} ({Measure(Metric, baseline):0.###})";
            }
            else
            {
                limit = Fallback ?? double.PositiveInfinity;
                basis = $"{RelativeTo} not run: fallback";
            }
        }
        var value = Measure(Metric, stats);
        var noData = Metric == "final_p99_ms" && stats.Final.TotalCount == 0;
        var floor = Metric is "min_throughput" or "min_msg_throughput";
        var passed = !noData && (floor ? value >= limit : value <= limit);
        return new ThresholdResult(Metric, value, limit, floor ? ">=" : "<=", basis, passed, noData ? "no final-status samples" : null);
    }
}
