using Xunit;

namespace SmsGateway.Testing;

/// <summary>
/// A real <c>nats-server -js</c> (Debian package <c>nats-server</c>, 2.9) on a free loopback port with a temporary JetStream
/// store directory; it can be killed and restarted on the same port and store. Usable directly as an xunit fixture.
/// Optionally started with a configuration file (for example an <c>authorization { ... }</c> block) and extra arguments.
/// </summary>
public sealed class NatsServer : IAsyncLifetime
{
    private readonly string? _configFile;
    private readonly string[] _extraArgs;
    private ServerProcess? _process;

    /// <summary>A server with no authentication (the xunit fixture).</summary>
    public NatsServer()
        : this(null, [])
    {
    }

    private NatsServer(string? config, string[] extraArgs)
    {
        _extraArgs = extraArgs ?? [];
        if (config is not null)
        {
            _configFile = Path.Combine(StoreDir, "nats-server.conf");
            File.WriteAllText(_configFile, config);
        }
    }

    /// <summary>A server (not started) with <paramref name="config"/> as its configuration file and <paramref name="extraArgs"/> on its command line.</summary>
    /// <param name="config">nats-server configuration text (written to a file in <see cref="StoreDir"/>, passed with <c>-c</c>); null for none.</param>
    /// <param name="extraArgs">More arguments, for example <c>--user a --pass b</c> or <c>--auth token</c>.</param>
    public static NatsServer With(string? config, params string[] extraArgs) => new(config, extraArgs);

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
        string[] args = ["-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", StoreDir];
        if (_configFile is not null)
        {
            args = [.. args, "-c", _configFile];
        }

        _process = ServerProcess.Start(exe, [.. args, .. _extraArgs]);
        try
        {
            await _process.WaitForOutputAsync("Server is ready", TimeSpan.FromSeconds(20));
            await _process.WaitForPortAsync(Port, TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            await KillAsync(); // not ready: stop it rather than leave it behind
            throw;
        }
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
