using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;

namespace SmsGateway.Tests.Crash;

/// <summary>
/// The gateway host (<c>src/Host</c>) as a separate OS process, so that a case can kill it with SIGKILL, stop it with
/// SIGTERM and start it again on the same ports and configuration. It serves its three services on three loopback
/// ports in the host's order (gateway, billing, reports) and is called with the bootstrap admin key.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    /// <summary>The admin key every case configures (<c>Auth:AdminKeys:0</c>) and sends as <c>Authorization: Bearer</c>.</summary>
    public const string AdminKey = "crash-suite-admin-key-0123456789abcdef";

    private readonly Dictionary<string, string> _environment;
    private ServerProcess? _process;
    private string _earlierOutput = string.Empty;

    private GatewayProcess(IReadOnlyDictionary<string, string> settings)
    {
        _environment = settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        _environment["Gateway__BindAddress"] = "127.0.0.1";
        _environment["Auth__AdminKeys__0"] = AdminKey;
        _environment["Gateway__Ports__0"] = GatewayPort.ToString(CultureInfo.InvariantCulture);
        _environment["Gateway__Ports__1"] = BillingPort.ToString(CultureInfo.InvariantCulture);
        _environment["Gateway__Ports__2"] = ReportPort.ToString(CultureInfo.InvariantCulture);
        _environment.TryAdd("Logging__LogLevel__Default", "Warning");
        _environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
    }

    /// <summary>Port of <c>/send</c> and <c>/messages</c>.</summary>
    public int GatewayPort { get; } = FreePort.Next();

    /// <summary>Port of <c>/charge</c> and <c>/balance</c>.</summary>
    public int BillingPort { get; } = FreePort.Next();

    /// <summary>Port of <c>/report</c> and <c>/messages</c>.</summary>
    public int ReportPort { get; } = FreePort.Next();

    /// <summary>OS process id of the running host (0 when stopped).</summary>
    public int Pid => _process?.Pid ?? 0;

    /// <summary>Everything the host printed, all its lives included (for failure messages).</summary>
    public string Output => _earlierOutput + (_process?.Output ?? string.Empty);

    /// <summary>The checkout this test runs from (the folder holding <c>Pipeline.sln</c>).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException($"no Pipeline.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The host's <c>SmsGateway.Host.dll</c>, built with this test project's configuration.</summary>
    public static string HostDll
    {
        get
        {
            var configuration = typeof(GatewayProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .First(a => a.Key == "Configuration").Value;
            var dll = Path.Combine(RepositoryRoot, "src", "Host", "bin", configuration!, "net10.0", "SmsGateway.Host.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build src/Host first (dotnet build -c {configuration}).");
        }
    }

    /// <summary>Starts a host with <paramref name="settings"/> (configuration keys such as <c>Gateway:Profile</c>) and waits until it is ready.</summary>
    /// <exception cref="TimeoutException">Not ready within 90 s; the message holds its output.</exception>
    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var host = new GatewayProcess(settings);
        await host.StartAgainAsync();
        return host;
    }

    /// <summary>An HTTP client for one of the host's ports, with the admin key.</summary>
    public HttpClient Client(int port, TimeSpan timeout)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = timeout,
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    /// <summary>Starts the host (again) with the same ports and configuration and waits for <c>/health/ready</c>.</summary>
    /// <exception cref="TimeoutException">Not ready within 90 s.</exception>
    public async Task StartAgainAsync()
    {
        var dotnet = ServerProcess.Require("dotnet", "dotnet-sdk-10.0 (https://learn.microsoft.com/dotnet/core/install/linux-debian)");
        _process = ServerProcess.Start(dotnet, [HostDll], _environment);
        using var client = Client(GatewayPort, TimeSpan.FromSeconds(2));
        var started = Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (!_process.IsRunning)
            {
                throw new TimeoutException($"the host exited during start-up:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the host was not ready within 90 s:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _earlierOutput += _process.Output;
            _process = null;
        }
    }

    /// <summary>SIGTERM, then waits up to <paramref name="timeout"/> for the host to exit by itself.</summary>
    /// <returns>How long the host took to exit; null when it did not exit in time (it is then killed).</returns>
    public async Task<TimeSpan?> TerminateAsync(TimeSpan timeout)
    {
        if (_process is null)
        {
            return TimeSpan.Zero;
        }

        var watch = Stopwatch.StartNew();
        _process.Signal(15);
        var exited = await _process.WaitForExitAsync(timeout);
        var took = watch.Elapsed;
        await KillAsync();
        return exited ? took : null;
    }

    /// <summary>Kills the host.</summary>
    public async ValueTask DisposeAsync() => await KillAsync();
}
