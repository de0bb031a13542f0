using System.Globalization;
using System.Text;

namespace SmsGateway.Load.Reporting;

/// <summary>Writes a run as Markdown: run facts, a summary table, then per scenario latencies, throughput, errors, thresholds, notes and search steps.</summary>
public static class MarkdownReport
{
    /// <summary>Renders the report.</summary>
    public static string Render(RunInfo info, IReadOnlyList<ScenarioView> scenarios)
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine(ci, $"# Load run {info.StartedAt:yyyy-MM-dd HH:mm:ss} UTC — {(scenarios.All(s => s.Passed) ? "PASSED" : "FAILED")}");
        sb.AppendLine();
        sb.AppendLine("| | |").AppendLine("|---|---|");
        foreach (var (k, v) in Facts(info)) sb.AppendLine(ci, $"| {k} | {v} |");
        sb.AppendLine();
        sb.AppendLine("## Summary").AppendLine();
        sb.AppendLine("| scenario | verdict | requests | accepted/s | errors | accept p50 | accept p99 | accept->sent p50 | accept->sent p99 |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in scenarios)
        {
            var accept = s.AcceptRow();
            sb.AppendLine(ci, $"| {s.Name} | {(s.Passed ? "pass" : "**FAIL**")} | {s.Requests:N0} | {s.Throughput:F0} | {s.Failed:N0} ({s.ErrorRate:P2}) | {accept.P50:F2} ms | {accept.P99:F2} ms | {s.Latencies[2].P50:F2} ms | {s.Latencies[2].P99:F2} ms |");
        }
        foreach (var s in scenarios)
        {
            sb.AppendLine().AppendLine(ci, $"## {s.Name} — {(s.Passed ? "pass" : "FAIL")}").AppendLine().AppendLine(s.Description).AppendLine();
            sb.AppendLine(ci, $"{s.Requests:N0} requests in {s.Seconds:F1} s: {s.Ok:N0} accepted ({s.Throughput:F0}/s), {s.Failed:N0} failed ({s.ErrorRate:P3}). Sampled accept->sent: {s.Latencies[2].Count:N0} sent, {s.FinalFailed:N0} failed, {s.FinalMissing:N0} not final.").AppendLine();
            sb.AppendLine("| latency (ms) | count | p50 | p75 | p95 | p99 | p99.9 | max | mean |").AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in s.Latencies.Where(r => r.Count > 0))
                sb.AppendLine(ci, $"| {r.Name} | {r.Count:N0} | {r.P50:F3} | {r.P75:F3} | {r.P95:F3} | {r.P99:F3} | {r.P999:F3} | {r.Max:F3} | {r.Mean:F3} |");
            if (s.Thresholds.Count > 0)
            {
                sb.AppendLine().AppendLine("| threshold | measured | limit | basis | verdict |").AppendLine("|---|---:|---:|---|---|");
                foreach (var t in s.Thresholds)
                    sb.AppendLine(ci, $"| {t.Metric} | {t.Value:0.####} | {t.Comparison} {t.Limit:0.####} | {t.Basis}{(t.Note is null ? "" : "; " + t.Note)} | {(t.Passed ? "pass" : "**FAIL**")} |");
            }
            if (s.Errors.Count > 0)
            {
                sb.AppendLine().AppendLine("Errors:").AppendLine();
                foreach (var (k, v) in s.Errors) sb.AppendLine(ci, $"- {k}: {v:N0}");
            }
            if (s.Steps.Count > 0)
            {
                sb.AppendLine().AppendLine("| offered rate | accepted/s | accept p99 | accept->sent p99 | errors | verdict |").AppendLine("|---:|---:|---:|---:|---:|---|");
                foreach (var st in s.Steps)
                    sb.AppendLine(ci, $"| {st.Rate:F0} | {st.Throughput:F0} | {st.AcceptP99Ms:F2} ms | {st.FinalP99Ms:F2} ms | {st.ErrorRate:P2} | {st.Why} |");
            }
            if (s.Notes.Count > 0)
            {
                sb.AppendLine();
                foreach (var n in s.Notes) sb.AppendLine("- " + n);
            }
        }
        sb.AppendLine().AppendLine("Latencies are measured from each request's intended start (open model), so time a request waited because the client or server fell behind counts (no coordinated omission). accept->sent is the server's `sent` event time minus `accepted_at` for sampled express messages. Percentiles come from HdrHistogram with < 0.1 % relative error (per-second timeline < 1 %).");
        return sb.ToString();
    }

    /// <summary>The run facts as key/value pairs.</summary>
    public static IEnumerable<(string, string)> Facts(RunInfo i) =>
    [
        ("target", i.Target), ("profile", i.Profile), ("commit", i.Commit), ("command", $"`{i.CommandLine}`"),
        ("machine", $"{i.Machine}: {i.Cores} cores, {i.Cpu}, {i.Memory}"), ("OS", i.Os), (".NET", i.Runtime),
    ];
}
