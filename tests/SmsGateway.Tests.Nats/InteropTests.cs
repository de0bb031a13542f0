using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SmsGateway.Model;
using SmsGateway.Testing;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;
using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Tests.Nats;

/// <summary>Our client against the official NATS JavaScript client (interop/interop.mjs; install with .ci/setup.d/nats.sh).</summary>
[Collection(NatsCollection.Name)]
public sealed class InteropTests(NatsServer server)
{
    private static string InteropDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "SmsGateway.Tests.Nats", "interop");
            if (File.Exists(Path.Combine(candidate, "interop.mjs")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules", "@nats-io", "jetstream")))
                {
                    throw new InvalidOperationException($"the NATS JavaScript client is not installed in {candidate}: run .ci/setup.d/nats.sh (npm ci)");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException("tests/SmsGateway.Tests.Nats/interop not found above " + AppContext.BaseDirectory);
    }

    private static async Task<List<JsonElement>> NodeAsync(params string[] args)
    {
        var node = ServerProcess.Require("node", "nodejs");
        var psi = new ProcessStartInfo(node) { WorkingDirectory = InteropDir(), RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("interop.mjs");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(p.ExitCode == 0, $"node exited {p.ExitCode}: {await stderr}");
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    private NatsTransport NewTransport()
    {
        var id = Unique.Name("I");
        return new NatsTransport(new NatsTransportOptions { Url = server.Url, StreamPrefix = id + "_", SubjectPrefix = id.ToLowerInvariant() }, null);
    }

    [Fact(Timeout = 60_000)]
    public async Task Official_js_client_publishes_into_our_stream_and_we_consume_it()
    {
        await using var t = NewTransport();
        await t.EnsureReadyAsync(CancellationToken.None);
        var acks = await NodeAsync("publish", server.Url, t.Options.SubjectOf(Topics.Express), "20");
        Assert.Equal(20, acks.Count);
        Assert.All(acks, a => Assert.Equal(t.Options.StreamOf(Topics.Express), a.GetProperty("stream").GetString()));

        await using var sub = await t.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 8 }, CancellationToken.None);
        var got = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (got.Count < 20)
        {
            var d = await sub.Deliveries.ReadAsync(cts.Token);
            Assert.Equal("js", d.Key);
            Assert.Equal("1", d.Headers[TransportHeaders.Attempt]);
            Assert.Equal(1, d.DeliveryCount);
            got.Add(Encoding.UTF8.GetString(d.Payload.Span));
            await d.AckAsync(CancellationToken.None);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"js-{i}"), got);
    }

    [Fact(Timeout = 60_000)]
    public async Task Official_js_client_consumes_what_we_publish()
    {
        await using var t = NewTransport();
        for (var i = 0; i < 20; i++)
        {
            await t.PublishAsync(Topics.Normal, new OutgoingMessage("user-7", Encoding.UTF8.GetBytes($"dotnet-{i}"), $"n-{i}"), CancellationToken.None);
        }

        var stream = t.Options.StreamOf(Topics.Normal);
        await t.JetStream.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig { DurableName = "jsreader" }, CancellationToken.None);
        var lines = await NodeAsync("consume", server.Url, stream, "jsreader", "20");

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"dotnet-{i}"), lines.Select(l => l.GetProperty("data").GetString()));
        Assert.All(lines, l => Assert.Equal("user-7", l.GetProperty("key").GetString()));
        Assert.All(lines, l => Assert.Equal(t.Options.SubjectOf(Topics.Normal), l.GetProperty("subject").GetString()));
        Assert.All(lines, l => Assert.Equal(1, l.GetProperty("delivered").GetInt32()));
        await Task.Delay(200);
        var info = await t.JetStream.GetStreamAsync(stream, CancellationToken.None);
        Assert.Equal(0, info.State.Messages); // acked by the JS client: removed from the work queue
    }
}
