using System.Diagnostics;
using System.Globalization;
using SmsGateway.Testing;

namespace SmsGateway.Tests.Redis;

/// <summary>Runs <c>redis-cli</c> against a test server (to inspect keys or flush scripts behind the client's back).</summary>
public static class RedisCli
{
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
