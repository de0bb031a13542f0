using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using HdrHistogram;
using SmsGateway.Load.Api;
using SmsGateway.Load.Histogram;
using SmsGateway.Load.Runner;

namespace SmsGateway.Load.Reporting;

/// <summary>Writes a run as one self-contained HTML page (inline CSS and SVG, no scripts): facts, summary, and per scenario tables and plots
/// of latency over time, throughput over time and the percentile distribution.</summary>
public static class HtmlReport
{
    /// <summary>Renders the page; <paramref name="views"/> are <paramref name="results"/>' views, in the same order.</summary>
    public static string Render(RunInfo info, IReadOnlyList<ScenarioResult> results, IReadOnlyList<ScenarioView> views)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Load run ").Append(E(info.StartedAt.ToString("u", ci))).Append("</title><style>")
          .Append("body{font-family:sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}")
          .Append("th{background:#f3f3f3}td.n{text-align:right}.pass{color:#176f2c;font-weight:bold}.fail{color:#b00020;font-weight:bold}pre{background:#f7f7f7;padding:8px;font-size:12px;overflow:auto}")
          .Append("</style></head><body>");
        var passed = views.All(v => v.Passed);
        sb.Append(ci, $"<h1>Load run {E(info.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", ci))} UTC — <span class=\"{(passed ? "pass" : "fail")}\">{(passed ? "PASSED" : "FAILED")}</span></h1><table>");
        foreach (var (k, v) in MarkdownReport.Facts(info)) sb.Append(ci, $"<tr><th>{E(k)}</th><td>{E(v.Trim('`'))}</td></tr>");
        sb.Append("</table><h2>Summary</h2><table><tr><th>scenario</th><th>verdict</th><th>requests</th><th>accepted/s</th><th>errors</th><th>accept p50 ms</th><th>accept p99 ms</th><th>accept→sent p50 ms</th><th>accept→sent p99 ms</th></tr>");
        foreach (var s in views)
        {
            var a = s.AcceptRow();
            sb.Append(ci, $"<tr><td><a href=\"#{E(s.Name)}\">{E(s.Name)}</a></td><td>{Verdict(s.Passed)}</td><td class=n>{s.Requests:N0}</td><td class=n>{s.Throughput:F0}</td><td class=n>{s.Failed:N0} ({s.ErrorRate:P2})</td><td class=n>{a.P50:F2}</td><td class=n>{a.P99:F2}</td><td class=n>{s.Latencies[2].P50:F2}</td><td class=n>{s.Latencies[2].P99:F2}</td></tr>");
        }
        sb.Append("</table>");
        for (var i = 0; i < results.Count; i++) Scenario(sb, results[i], views[i]);
        sb.Append("<p>Latencies are measured from each request's intended start (open model): waiting caused by the client or server falling behind is counted (no coordinated omission). accept→sent is the server's <code>sent</code> event time minus <code>accepted_at</code> for sampled express messages. Percentiles from HdrHistogram (relative error &lt; 0.1 %; per-second timeline &lt; 1 %).</p></body></html>");
        return sb.ToString();
    }

    private static void Scenario(StringBuilder sb, ScenarioResult r, ScenarioView s)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"<h2 id=\"{E(s.Name)}\">{E(s.Name)} — {Verdict(s.Passed)}</h2><p>{E(s.Description)}</p>");
        sb.Append(ci, $"<p>{s.Requests:N0} requests in {s.Seconds:F1} s: {s.Ok:N0} accepted ({s.Throughput:F0}/s), {s.Failed:N0} failed ({s.ErrorRate:P3}). Sampled accept→sent: {s.Latencies[2].Count:N0} sent, {s.FinalFailed:N0} failed, {s.FinalMissing:N0} not final.</p>");
        sb.Append("<table><tr><th>latency (ms)</th><th>count</th><th>p50</th><th>p75</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>");
        foreach (var l in s.Latencies.Where(l => l.Count > 0))
            sb.Append(ci, $"<tr><td>{E(l.Name)}</td><td class=n>{l.Count:N0}</td><td class=n>{l.P50:F3}</td><td class=n>{l.P75:F3}</td><td class=n>{l.P95:F3}</td><td class=n>{l.P99:F3}</td><td class=n>{l.P999:F3}</td><td class=n>{l.Max:F3}</td><td class=n>{l.Mean:F3}</td></tr>");
        sb.Append("</table>");
        if (s.Thresholds.Count > 0)
        {
            sb.Append("<table><tr><th>threshold</th><th>measured</th><th>limit</th><th>basis</th><th>verdict</th></tr>");
            foreach (var t in s.Thresholds)
                sb.Append(ci, $"<tr><td>{E(t.Metric)}</td><td class=n>{t.Value:0.####}</td><td class=n>{E(t.Comparison)} {t.Limit:0.####}</td><td>{E(t.Basis + (t.Note is null ? "" : "; " + t.Note))}</td><td>{Verdict(t.Passed)}</td></tr>");
            sb.Append("</table>");
        }
        if (s.Errors.Count > 0) sb.Append("<p>Errors: ").Append(string.Join(", ", s.Errors.Select(e => E($"{e.Key}: {e.Value:N0}")))).Append("</p>");
        if (s.Steps.Count > 0)
        {
            sb.Append("<table><tr><th>offered rate</th><th>accepted/s</th><th>accept p99 ms</th><th>accept→sent p99 ms</th><th>errors</th><th>verdict</th></tr>");
            foreach (var st in s.Steps)
                sb.Append(ci, $"<tr><td class=n>{st.Rate:F0}</td><td class=n>{st.Throughput:F0}</td><td class=n>{st.AcceptP99Ms:F2}</td><td class=n>{st.FinalP99Ms:F2}</td><td class=n>{st.ErrorRate:P2}</td><td>{E(st.Why)}</td></tr>");
            sb.Append("</table>");
            sb.Append(SvgPlot.Lines("Rate search", "offered rate (req/s)", "ms", [
                new("accept p99", "#1f77b4", [.. s.Steps.Select(x => (x.Rate, x.AcceptP99Ms))]),
                new("accept→sent p99", "#d62728", [.. s.Steps.Select(x => (x.Rate, x.FinalP99Ms))])]));
        }
        if (s.Notes.Count > 0) sb.Append("<ul>").Append(string.Concat(s.Notes.Select(n => $"<li>{E(n)}</li>"))).Append("</ul>");

        var timeline = r.Stats.Timeline;
        sb.Append("<div>");
        sb.Append(SvgPlot.Lines("Accept latency over time (per second, by intended start)", "seconds", "ms", [
            new("p50", "#2ca02c", [.. timeline.Select((b, i) => ((double)i, b.Latency.ValueAtPercentileOrZero(50) / 1000.0))]),
            new("p99", "#1f77b4", [.. timeline.Select((b, i) => ((double)i, b.Latency.ValueAtPercentileOrZero(99) / 1000.0))]),
            new("max", "#d62728", [.. timeline.Select((b, i) => ((double)i, b.Latency.GetMaxValue() / 1000.0))])]));
        sb.Append(SvgPlot.Lines("Throughput over time", "seconds", "per second", [
            new("accepted", "#2ca02c", [.. timeline.Select((b, i) => ((double)i, (double)b.Ok))]),
            new("failed", "#d62728", [.. timeline.Select((b, i) => ((double)i, (double)b.Errors))])]));
        sb.Append(SvgPlot.Lines("Latency by percentile", "percentile", "ms", [
            Distribution("accept express", "#1f77b4", r.Stats.AcceptExpress),
            Distribution("accept normal", "#ff7f0e", r.Stats.AcceptNormal),
            Distribution("accept→sent express", "#d62728", r.Stats.Final)], SvgPlot.PercentileTicks));
        sb.Append("</div><details><summary>configuration</summary><pre>").Append(E(JsonSerializer.Serialize(r.Spec, ApiJson.Indented))).Append("</pre></details>");
    }

    private static SvgPlot.Series Distribution(string name, string color, HistogramBase h) =>
        new(name, color, h.TotalCount == 0 ? [] : [.. SvgPlot.PlotPercentiles().Select(p => (SvgPlot.PercentileX(p), h.ValueAtPercentileOrZero(p) / 1000.0))]);

    private static string Verdict(bool passed) => passed ? "<span class=\"pass\">pass</span>" : "<span class=\"fail\">FAIL</span>";

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
