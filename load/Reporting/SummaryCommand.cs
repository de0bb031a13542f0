using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Load.Reporting;

/// <summary>
/// The <c>summarize</c> command: reads the <c>results.json</c> of several runs of the same scenarios and writes one Markdown table of
/// medians (with the min–max range and how many runs met each threshold), so a report quotes the typical run, not the luckiest one.
/// Scenarios are matched across runs by name and description (the description carries the rate, so pass-1 and pass-2 <c>express</c> stay apart).
/// </summary>
public static class SummaryCommand
{
    /// <summary>Builds <c>summarize</c>.</summary>
    public static Command Create()
    {
        var dirs = new Argument<string[]>("reports") { Description = "Report directories (each holding results.json) or directories to search for them", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out", "-o") { Description = "Write the Markdown summary here as well as to standard output" };
        var cmd = new Command("summarize", "Medians over several runs' results.json: throughput, latency percentiles, thresholds met per run") { dirs, output };
        cmd.SetAction(async (p, ct) =>
        {
            var files = p.GetValue(dirs)!.SelectMany(FindResults).Distinct().Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0)
            {
                await Console.Error.WriteLineAsync("summarize: no results.json under the given directories").ConfigureAwait(false);
                return 2;
            }
            var runs = new List<JsonDocument>();
            foreach (var f in files) runs.Add(JsonDocument.Parse(await File.ReadAllTextAsync(f, ct).ConfigureAwait(false)));
            var markdown = Render(runs.Select(r => r.RootElement).ToList(), files);
            Console.Write(markdown);
            if (p.GetValue(output) is { } path) await File.WriteAllTextAsync(path, markdown, ct).ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    private static IEnumerable<string> FindResults(string dir)
    {
        if (File.Exists(Path.Combine(dir, "results.json"))) return [Path.GetFullPath(Path.Combine(dir, "results.json"))];
        if (Directory.Exists(dir)) return Directory.EnumerateFiles(dir, "results.json", SearchOption.AllDirectories).Select(Path.GetFullPath);
        Console.Error.WriteLine($"summarize: {dir} does not exist; skipped");
        return [];
    }

    /// <summary>Renders the summary of <paramref name="runs"/> (parsed <c>results.json</c> roots); <paramref name="sources"/> are listed at the end.</summary>
    public static string Render(IReadOnlyList<JsonElement> runs, IReadOnlyList<string> sources)
    {
        var groups = runs.SelectMany(r => r.GetProperty("scenarios").EnumerateArray())
            .GroupBy(s => (Name: s.GetProperty("name").GetString()!, Description: s.GetProperty("description").GetString()!))
            .ToList();
        var info = runs[0].GetProperty("info");
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Load summary: medians of {runs.Count} report(s)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine `{Text(info, "machine")}`, {Text(info, "cpu")}, {Text(info, "cores")} cores, {Text(info, "memory")}, {Text(info, "os")}, {Text(info, "runtime")}; " +
                                                    $"commits {string.Join(", ", runs.Select(r => Text(r.GetProperty("info"), "commit")).Distinct())}; profile {Text(info, "profile")}.");
        md.AppendLine("Each cell is the median over the runs, with the min–max range in brackets. Latencies in ms.");
        md.AppendLine();
        md.AppendLine("| scenario | runs | accepted/s | errors | accept express p50 | accept express p99 | accept→sent p50 | accept→sent p99 | server-side accept p99 | thresholds |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var g in groups)
        {
            var items = g.ToList();
            md.Append(CultureInfo.InvariantCulture, $"| {g.Key.Name} | {items.Count} | {Cell(items.Select(s => s.GetProperty("throughput").GetDouble()), "F0")} | {Cell(items.Select(s => s.GetProperty("error_rate").GetDouble() * 100), "0.##")} % ");
            md.Append(CultureInfo.InvariantCulture, $"| {Cell(Latency(items, "accept, express", "p50"), "0.00")} | {Cell(Latency(items, "accept, express", "p99"), "0.00")} ");
            md.Append(CultureInfo.InvariantCulture, $"| {Cell(Latency(items, "accept -> sent", "p50"), "0.00")} | {Cell(Latency(items, "accept -> sent", "p99"), "0.00")} ");
            var server = ServerAcceptP99(items).ToList();
            md.Append(CultureInfo.InvariantCulture, $"| {(server.Count == 0 ? "–" : "≤ " + Cell(server, "0.##"))} ");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Thresholds(items)} |");
        }
        var searches = groups.Where(g => g.Any(s => s.GetProperty("steps").GetArrayLength() > 0)).ToList();
        if (searches.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| rate search | runs | highest rate within budget (req/s; 0 = none) | first step's accept p99 (ms) | first step's accept→sent p99 (ms) |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var g in searches)
            {
                var best = g.Select(s => s.GetProperty("steps").EnumerateArray().Where(st => st.GetProperty("within_budget").GetBoolean())
                    .Select(st => st.GetProperty("rate").GetDouble()).DefaultIfEmpty(0).Max());
                var first = g.Select(s => s.GetProperty("steps")[0]).ToList();
                md.AppendLine(CultureInfo.InvariantCulture, $"| {g.Key.Name} | {g.Count()} | {Cell(best, "F0")} | {Cell(first.Select(st => st.GetProperty("accept_p99_ms").GetDouble()), "0.00")} | {Cell(first.Select(st => st.GetProperty("final_p99_ms").GetDouble()), "0.00")} |");
            }
        }
        md.AppendLine();
        md.AppendLine("Scenarios:");
        foreach (var g in groups) md.AppendLine(CultureInfo.InvariantCulture, $"- **{g.Key.Name}**: {g.Key.Description}");
        md.AppendLine();
        md.AppendLine("Reports:");
        foreach (var s in sources) md.AppendLine(CultureInfo.InvariantCulture, $"- `{s}`");
        return md.ToString();
    }

    /// <summary>The median of <paramref name="values"/> (mean of the middle two for an even count). Throws <see cref="InvalidOperationException"/> when empty.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) throw new InvalidOperationException("median of nothing");
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static string Cell(IEnumerable<double> values, string format)
    {
        var v = values.ToList();
        if (v.Count == 0) return "–";
        var median = Median(v).ToString(format, CultureInfo.InvariantCulture);
        return v.Count == 1 ? median : $"{median} [{v.Min().ToString(format, CultureInfo.InvariantCulture)}–{v.Max().ToString(format, CultureInfo.InvariantCulture)}]";
    }

    /// <summary>One percentile of the latency row whose name starts with <paramref name="row"/>, from every run that measured it (count &gt; 0).</summary>
    private static IEnumerable<double> Latency(IEnumerable<JsonElement> scenarios, string row, string percentile) =>
        scenarios.SelectMany(s => s.GetProperty("latencies").EnumerateArray())
            .Where(l => l.GetProperty("name").GetString()!.StartsWith(row, StringComparison.Ordinal) && l.GetProperty("count").GetInt64() > 0)
            .Select(l => l.GetProperty(percentile).GetDouble());

    /// <summary>The p99 bucket bound of the runner's "server-side accept" note (the gateway's own histogram), from every run that has one.</summary>
    private static IEnumerable<double> ServerAcceptP99(IEnumerable<JsonElement> scenarios) =>
        scenarios.SelectMany(s => s.GetProperty("notes").EnumerateArray())
            .Select(n => ServerP99.Match(n.GetString() ?? ""))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value == "inf" ? double.PositiveInfinity : double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    private static readonly System.Text.RegularExpressions.Regex ServerP99 = new(@"^server-side accept .* p99 ≤ ([0-9.]+|inf) ms", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Per threshold metric: median measured value, the limit, and in how many runs it held, e.g. <c>accept_p99_ms 3.1 ≤ 2: 0/3</c>.</summary>
    private static string Thresholds(IReadOnlyList<JsonElement> scenarios)
    {
        var byMetric = scenarios.SelectMany(s => s.GetProperty("thresholds").EnumerateArray()).GroupBy(t => t.GetProperty("metric").GetString()!);
        return string.Join("; ", byMetric.Select(g =>
        {
            var limit = Median(g.Select(t => t.GetProperty("limit").GetDouble())).ToString("0.###", CultureInfo.InvariantCulture);
            var op = g.First().GetProperty("comparison").GetString() switch { "<=" => "≤", ">=" => "≥", var other => other };
            return $"{g.Key} {Median(g.Select(t => t.GetProperty("value").GetDouble())).ToString("0.###", CultureInfo.InvariantCulture)} {op} {limit}: met {g.Count(t => t.GetProperty("passed").GetBoolean())}/{g.Count()}";
        }));
    }

    private static string Text(JsonElement info, string property) =>
        info.TryGetProperty(property, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText() : "?";
}
