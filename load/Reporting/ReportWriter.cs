using System.Text.Json;
using SmsGateway.Load.Api;
using SmsGateway.Load.Runner;

namespace SmsGateway.Load.Reporting;

/// <summary>Writes <c>report.md</c>, <c>report.html</c> and <c>results.json</c> of a run into <c>&lt;root&gt;/&lt;yyyyMMdd-HHmmss&gt;/</c>.</summary>
public static class ReportWriter
{
    /// <summary>Writes the three files and returns the directory.</summary>
    public static async Task<string> WriteAsync(string root, RunInfo info, IReadOnlyList<ScenarioResult> results, CancellationToken ct)
    {
        var dir = Path.Combine(root, info.StartedAt.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        for (var n = 2; Directory.Exists(dir); n++) dir = Path.Combine(root, info.StartedAt.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + n);
        Directory.CreateDirectory(dir);
        var views = results.Select(ScenarioView.From).ToList();
        await File.WriteAllTextAsync(Path.Combine(dir, "report.md"), MarkdownReport.Render(info, views), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "report.html"), HtmlReport.Render(info, results, views), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "results.json"), JsonSerializer.Serialize(new { info, scenarios = views }, ApiJson.Indented), ct).ConfigureAwait(false);
        return dir;
    }

    /// <summary>The default report root: <c>reports/</c> beside <c>SmsGateway.Load.csproj</c> (found upwards from the binary or the current directory), else <c>./load-reports</c>.</summary>
    public static string DefaultRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "SmsGateway.Load.csproj"))) return Path.Combine(d.FullName, "reports");
                if (File.Exists(Path.Combine(d.FullName, "load", "SmsGateway.Load.csproj"))) return Path.Combine(d.FullName, "load", "reports");
            }
        }
        return Path.Combine(Environment.CurrentDirectory, "load-reports");
    }
}
