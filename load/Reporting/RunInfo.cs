using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SmsGateway.Load.Reporting;

/// <summary>What a report says about where and how it ran: machine, runtime, git commit, target, profile and the command line.</summary>
public sealed record RunInfo(string Machine, string Os, string Runtime, int Cores, string Cpu, string Memory, string Commit, string Target, string Profile, string CommandLine, DateTimeOffset StartedAt)
{
    /// <summary>Collects the facts of this process and the repository around <paramref name="repoDir"/>.</summary>
    public static RunInfo Collect(string target, string profile, string[] args, string repoDir) => new(
        Environment.MachineName, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, Environment.ProcessorCount,
        CpuModel(), MemoryText(), GitCommit(repoDir), target, profile, "load " + string.Join(' ', args), DateTimeOffset.UtcNow);

    private static string CpuModel()
    {
        try { return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString(); }
        catch (IOException) { return RuntimeInformation.ProcessArchitecture.ToString(); }
        catch (UnauthorizedAccessException) { return RuntimeInformation.ProcessArchitecture.ToString(); }
    }

    private static string MemoryText()
    {
        var bytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return $"{bytes / (1024.0 * 1024 * 1024):F1} GiB";
    }

    private static string GitCommit(string dir)
    {
        try
        {
            var psi = new ProcessStartInfo("git", "rev-parse --short=12 HEAD") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var commit = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit(5000);
            if (p.ExitCode != 0 || commit.Length == 0) return "unknown";
            var status = new ProcessStartInfo("git", "status --porcelain") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            using var s = Process.Start(status)!;
            var dirty = s.StandardOutput.ReadToEnd().Trim().Length > 0;
            s.WaitForExit(5000);
            return dirty ? commit + " (with uncommitted changes)" : commit;
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown (git not found)"; }
    }
}
