using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace SmsGateway.Testing;

/// <summary>
/// A three-node <c>nats-server</c> cluster with JetStream on loopback (Debian package <c>nats-server</c>, 2.9): each node
/// has its own client port, cluster port and store directory, and routes to the other two. Streams created with three
/// replicas survive the loss of one node. A node can be killed (SIGKILL) and started again on the same ports and store.
/// </summary>
public sealed class NatsCluster : IAsyncDisposable
{
    private readonly ServerProcess?[] _nodes = new ServerProcess?[3];
    private readonly int[] _clusterPorts = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
    private readonly string _root = Directory.CreateTempSubdirectory("nats-cluster-").FullName;

    /// <summary>Client ports of the three nodes.</summary>
    public int[] Ports { get; } = [FreePort.Next(), FreePort.Next(), FreePort.Next()];

    /// <summary>All three client URLs, comma separated, as NATS clients take a seed list.</summary>
    public string Url => string.Join(",", Ports.Select(p => $"nats://127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>
    /// Starts the three nodes and waits until the cluster takes JetStream work: a meta leader is elected, every node
    /// answers a JetStream API request, and a three-replica probe stream can be created and deleted.
    /// </summary>
    /// <remarks>
    /// A logged meta leader alone is not enough: right after the first election a stream create can go unanswered (the
    /// client sees "No API response" after its request timeout), so the probe retries until the cluster answers.
    /// </remarks>
    /// <exception cref="InvalidOperationException"><c>nats-server</c> is not installed; the message says how to install it.</exception>
    /// <exception cref="TimeoutException">A node was not ready within 30 s, or the cluster took no JetStream work within 60 s.</exception>
    public static async Task<NatsCluster> StartAsync()
    {
        var cluster = new NatsCluster();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 3).Select(cluster.StartNodeAsync));
        }
        catch (TimeoutException)
        {
            await cluster.DisposeAsync(); // the nodes that did start
            throw;
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!cluster._nodes.Any(n => n!.Output.Contains("new metadata leader", StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                var outputs = cluster.Outputs();
                await cluster.DisposeAsync();
                throw new TimeoutException($"the NATS cluster elected no JetStream meta leader within 30 s:\n{outputs}");
            }

            await Task.Delay(100);
        }

        await cluster.WaitForJetStreamAsync(TimeSpan.FromSeconds(60));
        return cluster;
    }

    /// <summary>SIGKILL of node <paramref name="index"/> (0..2).</summary>
    public async Task KillAsync(int index)
    {
        if (_nodes[index] is { } node)
        {
            await node.DisposeAsync();
            _nodes[index] = null;
        }
    }

    /// <summary>Starts node <paramref name="index"/> again (same ports and store) and waits until it listens.</summary>
    public Task StartNodeAsync(int index) => StartNodeCoreAsync(index);

    /// <summary>Kills every node and deletes the stores.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            await KillAsync(i);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp directory is harmless
        }
    }

    private string Outputs() => string.Join("\n---\n", _nodes.Select(n => n?.Output));

    private async Task WaitForJetStreamAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        foreach (var port in Ports)
        {
            var opts = NatsOpts.Default with { Url = $"nats://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", RequestTimeout = TimeSpan.FromSeconds(2) };
            await using var connection = new NatsConnection(opts);
            var js = new NatsJSContext(connection);
            while (true)
            {
                try
                {
                    await js.GetAccountInfoAsync();
                    if (port == Ports[^1])
                    {
                        await js.CreateStreamAsync(new StreamConfig("READY_PROBE", ["ready-probe"]) { NumReplicas = 3, Storage = StreamConfigStorage.Memory });
                        await js.DeleteStreamAsync("READY_PROBE");
                    }

                    break;
                }
                catch (NatsException ex)
                {
                    last = ex;
                    if (DateTime.UtcNow > deadline)
                    {
                        var outputs = Outputs();
                        await DisposeAsync();
                        throw new TimeoutException($"the NATS cluster took no JetStream work within {timeout.TotalSeconds:0} s (last: {last.Message}):\n{outputs}", last);
                    }

                    await Task.Delay(200);
                }
            }
        }
    }

    private async Task StartNodeCoreAsync(int index)
    {
        var exe = ServerProcess.Require("nats-server", "nats-server");
        var dir = Path.Combine(_root, "n" + index.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var routes = string.Join(", ", _clusterPorts.Where((_, i) => i != index).Select(p => $"\"nats-route://127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}\""));
        var config = Path.Combine(dir, "nats.conf");
        await File.WriteAllTextAsync(config, $$"""
            server_name: "n{{index}}"
            listen: "127.0.0.1:{{Ports[index]}}"
            jetstream { store_dir: "{{Path.Combine(dir, "js")}}" }
            cluster {
              name: "smsgw-test"
              listen: "127.0.0.1:{{_clusterPorts[index]}}"
              routes: [ {{routes}} ]
            }
            """);
        var node = ServerProcess.Start(exe, ["-c", config]);
        _nodes[index] = node;
        await node.WaitForOutputAsync("Server is ready", TimeSpan.FromSeconds(30));
        await node.WaitForPortAsync(Ports[index], TimeSpan.FromSeconds(10));
    }
}
