using System.Diagnostics;
using System.Text;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka;
using SmsGateway.Transports.Kafka.Testing;

namespace SmsGateway.Tests.Kafka;

/// <summary>kcat (another librdkafka client, Debian package <c>kcat</c>) and the transport read each other's records on a mock cluster.</summary>
public sealed class KcatInteropTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = KafkaMockCluster.Start(3);

    public void Dispose() => _cluster.Dispose();

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunKcatAsync(IEnumerable<string> args, string? stdin, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(ServerProcess.Require("kcat", "kcat"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kcat {string.Join(' ', args)} did not finish: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact(Timeout = 60_000)]
    public async Task Kcat_reads_what_the_transport_publishes()
    {
        var options = TestOptions.For(_cluster.BootstrapServers, TestOptions.Unique("tokcat"));
        await using (var transport = new KafkaTransport(options))
        {
            for (var i = 0; i < 5; i++)
            {
                var headers = new Dictionary<string, string> { [TransportHeaders.Attempt] = $"{i + 1}" };
                await transport.PublishAsync(Topics.Status, new OutgoingMessage($"user-{i}", Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"), $"id-{i}", headers), CancellationToken.None);
            }
        }

        var (code, stdout, stderr) = await RunKcatAsync(
            ["-C", "-b", _cluster.BootstrapServers, "-t", options.KafkaTopic(Topics.Status), "-o", "beginning", "-e", "-q", "-f", "%k|%s|%h\\n"],
            null,
            TimeSpan.FromSeconds(30));

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
        Assert.Equal(5, lines.Count);
        for (var i = 0; i < 5; i++)
        {
            var parts = lines[i].Split('|');
            Assert.Equal($"user-{i}", parts[0]);
            Assert.Equal($"{{\"n\":{i}}}", parts[1]);
            Assert.Contains($"{TransportHeaders.Attempt}={i + 1}", parts[2]);
            Assert.Contains($"{KafkaHeaders.MessageId}=id-{i}", parts[2]);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task The_transport_consumes_what_kcat_produces()
    {
        var options = TestOptions.For(_cluster.BootstrapServers, TestOptions.Unique("fromkcat"));
        var input = string.Join('\n', Enumerable.Range(0, 10).Select(i => $"user-{i % 3}:hello {i}")) + "\n";
        var (code, _, stderr) = await RunKcatAsync(
            ["-P", "-b", _cluster.BootstrapServers, "-t", options.KafkaTopic(Topics.Normal), "-K", ":", "-H", $"{TransportHeaders.TraceParent}=00-abc-def-01"],
            input,
            TimeSpan.FromSeconds(30));
        Assert.True(code == 0, stderr);

        await using var transport = new KafkaTransport(options);
        await using var subscription = await transport.SubscribeAsync(Topics.Normal, "dispatch", new SubscriptionOptions { MaxInFlight = 32 }, CancellationToken.None);
        var got = await Consume.TakeAsync(subscription, 10, TimeSpan.FromSeconds(30));

        Assert.Equal(
            Enumerable.Range(0, 10).Select(i => $"user-{i % 3}|hello {i}").Order(),
            got.Select(d => $"{d.Key}|{Encoding.UTF8.GetString(d.Payload.Span)}").Order());
        Assert.All(got, d => Assert.Equal("00-abc-def-01", d.Headers[TransportHeaders.TraceParent]));
    }
}
