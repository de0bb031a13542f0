namespace SmsGateway.Tests.Crash;

/// <summary>
/// Appends each case's reconciliation row to a Markdown table that CI prints at the end
/// (<c>SMSGW_CRASH_SUMMARY</c>, default <c>TestResults/crash-summary.md</c> at the repository root).
/// </summary>
public static class CrashSummary
{
    private static readonly Lock Gate = new();

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

    /// <summary>Appends <paramref name="figures"/> (and the header when the file is new).</summary>
    public static void Append(CaseFigures figures)
    {
        lock (Gate)
        {
            var path = Path.GetFullPath(PathName);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!File.Exists(path))
            {
                File.WriteAllText(path, CaseFigures.Header + "\n");
            }

            File.AppendAllText(path, figures.Row() + "\n");
        }
    }
}
