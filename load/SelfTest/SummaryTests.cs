using System.Diagnostics;
using System.Text.Json;
using SmsGateway.Load.Api;
using SmsGateway.Load.Reporting;
using SmsGateway.Load.Runner;
using static SmsGateway.Load.SelfTest.SelfTestFailure;

namespace SmsGateway.Load.SelfTest;

/// <summary>Behaviour of the pieces around a run: the scraped server histogram, the medians summary, the precise scheduler sleep.</summary>
public static class SummaryTests
{
    private const string MetricsBefore = """
        # TYPE sms_accept_duration_milliseconds histogram
        sms_accept_duration_milliseconds_bucket{le="0.25"} 100
        sms_accept_duration_milliseconds_bucket{le="1"} 100
        sms_accept_duration_milliseconds_bucket{le="5"} 100
        sms_accept_duration_milliseconds_bucket{le="+Inf"} 100
        sms_other_bucket{le="0.25"} 999
        """;

    // 1,000 more observations: 950 ≤ 0.25 ms, 40 in (0.25, 1], 9 in (1, 5], 1 above 5 ms; split over two label sets, written as
    // OpenTelemetry's Prometheus exporter does (scope labels first; the normal series with a trailing timestamp, which is not a count).
    private const string MetricsAfter = """
        sms_accept_duration_milliseconds_bucket{otel_scope_name="SmsGateway.Pipeline",otel_scope_version="1.0",type="express",le="0.25"} 600
        sms_accept_duration_milliseconds_bucket{otel_scope_name="SmsGateway.Pipeline",otel_scope_version="1.0",type="express",le="1"} 620
        sms_accept_duration_milliseconds_bucket{otel_scope_name="SmsGateway.Pipeline",otel_scope_version="1.0",type="express",le="5"} 629
        sms_accept_duration_milliseconds_bucket{otel_scope_name="SmsGateway.Pipeline",otel_scope_version="1.0",type="express",le="+Inf"} 630
        sms_accept_duration_milliseconds_bucket{type="normal",le="0.25"} 450 1764619200000
        sms_accept_duration_milliseconds_bucket{type="normal",le="1"} 470 1764619200000
        sms_accept_duration_milliseconds_bucket{type="normal",le="5"} 470 1764619200000
        sms_accept_duration_milliseconds_bucket{type="normal",le="+Inf"} 470 1764619200000
        sms_accept_duration_milliseconds_count{type="normal"} 470
        """;

    /// <summary>All cases.</summary>
    public static IEnumerable<(string Name, Func<CancellationToken, Task> Run)> Cases()
    {
        yield return ("server histogram: delta over label sets, bucket bounds per percentile", _ =>
        {
            var h = ServerHistogram.Parse(MetricsAfter, "sms_accept_duration_milliseconds").Since(ServerHistogram.Parse(MetricsBefore, "sms_accept_duration_milliseconds"));
            Assert(h.Count == 1000, $"1000 observations between the scrapes, got {h.Count}");
            Assert(h.UpperBoundAt(50) == 0.25 && h.UpperBoundAt(95) == 0.25, $"p50/p95 within the first bucket, got {h.UpperBoundAt(50)}/{h.UpperBoundAt(95)}");
            Assert(h.UpperBoundAt(99) == 1 && h.UpperBoundAt(99.9) == 5 && double.IsPositiveInfinity(h.UpperBoundAt(100)), "p99 ≤ 1, p99.9 ≤ 5, max beyond the last bound");
            Assert(double.IsNaN(ServerHistogram.Parse("", "sms_accept_duration_milliseconds").UpperBoundAt(99)), "an absent metric has no percentiles");
            // Exactly at a bucket edge: 40,959 of 41,000 is 99.9 %, so p99.9 is the first bucket (floating-point must not push the rank up).
            var edge = ServerHistogram.Parse("m_bucket{rule=\"x\",le=\"1\"} 40959\nm_bucket{rule=\"x\",le=\"+Inf\"} 41000\n", "m");
            Assert(edge.Count == 41_000 && edge.UpperBoundAt(99.9) == 1, $"p99.9 of 41,000 at the edge is ≤ 1, got {edge.UpperBoundAt(99.9)} (count {edge.Count})");
            Assert(ServerHistogram.Format(double.PositiveInfinity) == "inf" && ServerHistogram.Format(0.25) == "0.25", "bounds format as 0.25 / inf");
            return Task.CompletedTask;
        });
        yield return ("summary: medians and ranges over runs, thresholds counted per run", _ =>
        {
            Assert(SummaryCommand.Median([3, 1, 2]) == 2 && SummaryCommand.Median([4, 1, 2, 3]) == 2.5, "median of odd and even counts");
            var runs = new[] { Run(900, 1.5, true), Run(1000, 2.5, false), Run(1100, 9.0, false) }.Select(j => JsonDocument.Parse(j).RootElement).ToList();
            var md = SummaryCommand.Render(runs, ["a", "b", "c"]);
            Assert(md.Contains("| express | 3 | 1000 [900–1100] |", StringComparison.Ordinal), "throughput cell is the median with its range:\n" + md);
            Assert(md.Contains("| 2.50 [1.50–9.00] |", StringComparison.Ordinal), "accept p99 cell is the median of 1.5, 2.5 and 9:\n" + md);
            Assert(md.Contains("accept_p99_ms 2.5 ≤ 2: met 1/3", StringComparison.Ordinal), "threshold: median value, limit, runs met:\n" + md);
            Assert(md.Contains("| ≤ 0.25 [0.25–0.25] |", StringComparison.Ordinal), "server-side accept p99 column from the notes:\n" + md);
            return Task.CompletedTask;
        });
        yield return ("precise sleep: never returns before the deadline", _ =>
        {
            for (var i = 0; i < 200; i++)
            {
                var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2000 * (i % 5); // 0 to 2 ms ahead
                PreciseSleep.Until(deadline);
                Assert(Stopwatch.GetTimestamp() >= deadline, $"returned before the deadline on try {i}");
            }
            return Task.CompletedTask;
        });
    }

    private static string Run(double throughput, double acceptP99, bool passed) => $$"""
        { "info": { "machine": "m", "commit": "abc", "profile": "embedded" },
          "scenarios": [ { "name": "express", "description": "express at 1000 req/s", "throughput": {{throughput}}, "error_rate": 0,
            "latencies": [ { "name": "accept, express (from intended start)", "count": 10, "p50": 0.5, "p99": {{acceptP99}} },
                           { "name": "accept -> sent, express (server side, sampled)", "count": 0, "p50": 0, "p99": 0 } ],
            "thresholds": [ { "metric": "accept_p99_ms", "value": {{acceptP99}}, "limit": 2, "comparison": "<=", "passed": {{(passed ? "true" : "false")}} } ],
            "notes": [ "server-side accept (reserve + publish, without HTTP; x): p50 ≤ 0.25 ms, p99 ≤ 0.25 ms, p99.9 ≤ 1 ms" ],
            "steps": [] } ] }
        """;
}
