using SmsGateway.Testing;

namespace SmsGateway.Tests.Nats;

/// <summary>A real <c>nats-server -js</c> on a free loopback port with a temporary store directory; restartable on the same port and store.</summary>
public sealed class NatsServer : IAsyncLifetime
{
    private ServerProcess? _process;

    public int Port { get; } = FreePort.Next();

    public string StoreDir { get; } = Directory.CreateTempSubdirectory("nats-test-").FullName;

    public string Url => $"nats://127.0.0.1:{Port}";

    public int Pid => _process?.Pid ?? 0;

    public async Task InitializeAsync() => await StartAsync();

    public async Task StartAsync()
    {
        var exe = ServerProcess.Require("nats-server", "nats-server");
        _process = ServerProcess.Start(exe, ["-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", StoreDir]);
        await _process.WaitForOutputAsync("Server is ready", TimeSpan.FromSeconds(20));
        await _process.WaitForPortAsync(Port, TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGKILL by PID (no graceful shutdown), then waits for the exit.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(StoreDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class NatsCollection : ICollectionFixture<NatsServer>
{
    public const string Name = "nats";
}
