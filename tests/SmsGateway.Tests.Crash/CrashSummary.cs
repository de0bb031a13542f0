using System.Globalization;

namespace SmsGateway.Tests.Crash;

/// <summary>
/// The Markdown table of this test run's reconciliation rows (<c>SMSGW_CRASH_SUMMARY</c>, default
/// <c>TestResults/crash-summary.md</c> at the repository root): started afresh by the first case of a run, one row per
/// case appended as it finishes, printed whole by <see cref="CrashRun"/> at the end of the run. Thread-safe.
/// </summary>
public static class CrashSummary
{
    private static readonly Lock Gate = new();
    private static bool _started;

    /// <summary>Where the table is written.</summary>
    public static string PathName
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("SMSGW_CRASH_SUMMARY");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            return Path.Combine(GatewayProcess.RepositoryRoot, "TestResults", "crash-summary.md");
        }
    }

    /// <summary>Appends <paramref name="figures"/>; the first row of a run replaces an earlier run's file.</summary>
    public static void Append(CaseFigures figures)
    {
        lock (Gate)
        {
            var path = Path.GetFullPath(PathName);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!_started)
            {
                File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture,
                    $"Crash suite run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({Environment.ProcessorCount} cores)\n\n{CaseFigures.Header}\n"));
                _started = true;
            }

            File.AppendAllText(path, figures.Row() + "\n");
        }
    }

    /// <summary>The table written so far by this run; empty when no case finished.</summary>
    public static string Table()
    {
        lock (Gate)
        {
            var path = Path.GetFullPath(PathName);
            return _started && File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        }
    }
}
