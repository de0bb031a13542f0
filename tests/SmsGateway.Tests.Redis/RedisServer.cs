using System.Globalization;
using SmsGateway.Testing;

namespace SmsGateway.Tests.Redis;

/// <summary>A <c>redis-server</c> on a free loopback port without persistence; can be stopped, frozen and restarted on the same port.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private ServerProcess? _process;
    private bool _frozen;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public bool IsRunning => _process is { IsRunning: true };

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort.Next());
        await server.StartProcessAsync();
        return server;
    }

    public static async Task<RedisServer[]> StartManyAsync(int count)
        => await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartAsync()));

    /// <summary>Kills the process (data is lost: no persistence).</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            Thaw();
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Stops and starts again on the same port, empty (no scripts, no keys).</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartProcessAsync();
    }

    /// <summary>SIGSTOP: the port stays open, nothing answers.</summary>
    public void Freeze()
    {
        _process?.Signal(19);
        _frozen = true;
    }

    /// <summary>SIGCONT.</summary>
    public void Thaw()
    {
        if (_frozen)
        {
            _process?.Signal(18);
            _frozen = false;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartProcessAsync()
    {
        var exe = ServerProcess.Require("redis-server", "redis-server");
        for (var attempt = 0; ; attempt++)
        {
            var process = ServerProcess.Start(exe, ["--port", Port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"]);
            try
            {
                await process.WaitForPortAsync(Port, TimeSpan.FromSeconds(10));
                _process = process;
                return;
            }
            catch (TimeoutException) when (attempt < 20 && process.Output.Contains("Address already in use", StringComparison.Ordinal))
            {
                // The old process's socket is still closing; try again shortly.
                await process.DisposeAsync();
                await Task.Delay(100);
            }
        }
    }
}
