using System.Diagnostics;
using System.Globalization;
namespace SmsGateway.Testing;

/// <summary>Runs <c>redis-cli</c> against a test server (to inspect keys or flush scripts behind the client's back).</summary>
public static class RedisCli
{
    /// <summary>Runs <c>redis-cli -p port args...</c> and returns its trimmed standard output.</summary>
    /// <exception cref="InvalidOperationException"><c>redis-cli</c> (Debian <c>redis-tools</c>) is not installed.</exception>
    /// <exception cref="OperationCanceledException">It did not finish within 10 s.</exception>
    public static async Task<string> RunAsync(int port, params string[] args)
    {
        var exe = ServerProcess.Require("redis-cli", "redis-tools");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-p");
        psi.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var stdout = await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return stdout.Trim();
    }
}
