using SmsGateway.Testing;

namespace SmsGateway.Bench.Nats;

/// <summary>A nats-server -js on a free port with a temporary store, for one benchmark class.</summary>
internal sealed class NatsBenchServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly string _store;

    private NatsBenchServer(ServerProcess process, string store, int port)
    {
        _process = process;
        _store = store;
        Url = $"nats://127.0.0.1:{port}";
    }

    public string Url { get; }

    public static async Task<NatsBenchServer> StartAsync()
    {
        var exe = ServerProcess.Require("nats-server", "nats-server");
        var port = FreePort.Next();
        var store = Directory.CreateTempSubdirectory("nats-bench-").FullName;
        var p = ServerProcess.Start(exe, ["-js", "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", store]);
        await p.WaitForOutputAsync("Server is ready", TimeSpan.FromSeconds(20));
        return new NatsBenchServer(p, store, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_store, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
