using System.Text.RegularExpressions;
namespace SmsGateway.Testing;

/// <summary>
/// A librdkafka mock cluster hosted by a <c>kcat</c> process (<c>kcat -X test.mock.num.brokers=3 -C</c>), so another
/// client can reach it and a test can kill it (broker gone). The bootstrap addresses are read from kcat's stderr.
/// </summary>
/// <remarks>Only a process: no Kafka client library is needed to host it. Topics are auto-created with 4 partitions.</remarks>
public sealed partial class KcatMockCluster : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private KcatMockCluster(ServerProcess process, string bootstrapServers)
    {
        _process = process;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated <c>127.0.0.1:port</c> of the three mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Path of <c>kcat</c>.</summary>
    /// <exception cref="InvalidOperationException">Not installed (Debian package <c>kcat</c>).</exception>
    public static string Kcat => ServerProcess.Require("kcat", "kcat");

    /// <summary>Starts kcat with a 3-broker mock cluster and reads the broker addresses it prints.</summary>
    /// <exception cref="TimeoutException">kcat printed no addresses within 10 s.</exception>
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

    /// <summary>Same as <see cref="StopAsync"/>; safe to call after it.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"replaced with ([0-9.:,]+)")]
    private static partial Regex Addresses();
}
