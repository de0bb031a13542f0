using Xunit;

namespace SmsGateway.Testing;

/// <summary>
/// A real <c>nats-server -js</c> (Debian package <c>nats-server</c>, 2.9) on a free loopback port with a temporary JetStream
/// store directory; it can be killed and restarted on the same port and store. Usable directly as an xunit fixture.
/// </summary>
public sealed class NatsServer : IAsyncLifetime
{
    private ServerProcess? _process;

    /// <summary>Loopback TCP port.</summary>
    public int Port { get; } = FreePort.Next();

    /// <summary>JetStream store directory (deleted on dispose).</summary>
    public string StoreDir { get; } = Directory.CreateTempSubdirectory("nats-test-").FullName;

    /// <summary><c>nats://127.0.0.1:port</c>.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>xunit fixture start: <see cref="StartAsync"/>.</summary>
    public async Task InitializeAsync() => await StartAsync();

    /// <summary>Starts the server (again) and waits until it is ready.</summary>
    /// <exception cref="InvalidOperationException">Not installed; the message says how to install it.</exception>
    /// <exception cref="TimeoutException">Not ready within 20 s.</exception>
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

    /// <summary>Kills the server and deletes its store.</summary>
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
