using System.Globalization;
namespace SmsGateway.Testing;

/// <summary>
/// A <c>redis-server</c> (Debian package <c>redis-server</c>) on a free loopback port without persistence (no RDB, no AOF);
/// it can be stopped, frozen (SIGSTOP) and restarted on the same port. Stopped by PID on dispose.
/// </summary>
/// <remarks>Not thread-safe: one test drives one server's life-cycle.</remarks>
public sealed class RedisServer : IAsyncDisposable
{
    private ServerProcess? _process;
    private string? _startedBy; // the test of the first start, named by restarts too (ServerProcess.Start)
    private bool _frozen;

    private RedisServer(int port) => Port = port;

    /// <summary>Loopback TCP port.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, as StackExchange.Redis and the gateway's <c>Redis</c> options take it.</summary>
    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Starts a server on a free port and waits until it accepts connections.</summary>
    /// <exception cref="InvalidOperationException"><c>redis-server</c> is not installed; the message says how to install it.</exception>
    /// <exception cref="TimeoutException">It did not listen within 10 s.</exception>
    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort.Next());
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Starts <paramref name="count"/> independent servers in parallel (e.g. three Redlock masters).</summary>
    /// <exception cref="InvalidOperationException"><c>redis-server</c> is not installed.</exception>
    /// <exception cref="TimeoutException">One did not listen within 10 s; the others are stopped again.</exception>
    public static async Task<RedisServer[]> StartManyAsync(int count)
    {
        var starts = Enumerable.Range(0, count).Select(_ => StartAsync()).ToArray();
        try
        {
            return await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }

            throw;
        }
    }

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

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartProcessAsync()
    {
        var exe = ServerProcess.Require("redis-server", "redis-server");
        for (var attempt = 0; ; attempt++)
        {
            var process = ServerProcess.Start(exe, ["--port", Port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"], startedBy: _startedBy);
            _startedBy ??= process.StartedBy;
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
            catch (TimeoutException)
            {
                await process.DisposeAsync(); // running but not listening: stop it rather than leave it behind
                throw;
            }
        }
    }
}
