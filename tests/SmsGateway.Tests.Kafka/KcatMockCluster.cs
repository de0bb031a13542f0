using System.Text.RegularExpressions;
using SmsGateway.Testing;

namespace SmsGateway.Tests.Kafka;

/// <summary>
/// A librdkafka mock cluster hosted by a <c>kcat</c> process (<c>kcat -X test.mock.num.brokers=3 -C</c>), so another
/// client can reach it and a test can kill it (broker gone). The bootstrap addresses are read from kcat's stderr.
/// </summary>
internal sealed partial class KcatMockCluster : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private KcatMockCluster(ServerProcess process, string bootstrapServers)
    {
        _process = process;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    public static string Kcat => ServerProcess.Require("kcat", "kcat");

    public static async Task<KcatMockCluster> StartAsync()
    {
        var process = ServerProcess.Start(Kcat, ["-X", "test.mock.num.brokers=3", "-C", "-b", "dummy", "-t", $"kcat-host-{Guid.NewGuid():N}"]);
        try
        {
            await process.WaitForOutputAsync("replaced with", TimeSpan.FromSeconds(10));
            var match = Addresses().Match(process.Output);
            if (!match.Success)
            {
                throw new InvalidOperationException($"no broker addresses in kcat output:\n{process.Output}");
            }

            return new KcatMockCluster(process, match.Groups[1].Value);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills kcat (by PID): the mock brokers vanish with it.</summary>
    public ValueTask StopAsync() => _process.DisposeAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"replaced with ([0-9.:,]+)")]
    private static partial Regex Addresses();
}
