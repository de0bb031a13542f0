using System.Diagnostics;
using System.Globalization;
using Npgsql;
namespace SmsGateway.Testing;

/// <summary>
/// A PostgreSQL 15 cluster for tests and benchmarks: <c>initdb</c> as an unprivileged OS user (PostgreSQL refuses root),
/// <c>postgres</c> on a free loopback port with fsync off, stopped by PID (fast shutdown). A temporary cluster is deleted at
/// the end; a named directory is kept, so several benchmark processes can reuse one seeded database.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private readonly string _directory;
    private readonly bool _deleteOnDispose;
    private readonly string? _user;
    private ServerProcess _process;

    private PostgresServer(string directory, bool deleteOnDispose, int port, string? user)
    {
        _directory = directory;
        _deleteOnDispose = deleteOnDispose;
        _user = user;
        Port = port;
        _process = Launch(directory, port, user);
    }

    /// <summary>Loopback TCP port.</summary>
    public int Port { get; }

    /// <summary>Connection string to database <paramref name="database"/> as the superuser <c>postgres</c> (trust auth).</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Include Error Detail=true;Maximum Pool Size=30";

    /// <summary>Creates the cluster (unless <paramref name="directory"/> already holds one) and starts the server.</summary>
    /// <param name="directory">A directory to keep the cluster in across runs; null for a temporary one deleted on dispose.</param>
    /// <exception cref="InvalidOperationException">PostgreSQL or the unprivileged user is missing; the message says how to install.</exception>
    /// <remarks>As root the cluster runs as OS user <c>postgres</c> (or <c>SMSGW_PG_OS_USER</c>) through <c>runuser</c>.</remarks>
    public static async Task<PostgresServer> StartAsync(string? directory = null)
    {
        var initdb = ServerProcess.Require(Path.Combine(BinDir, "initdb"), "postgresql");
        var user = Environment.UserName == "root" ? UnprivilegedUser() : null;

        bool temporary = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "smsgw-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(directory, "data");
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            Directory.CreateDirectory(directory);
            if (user is not null)
            {
                await RunAsync(null, "chown", ["-R", user, directory]);
            }

            await RunAsync(user, initdb, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        }

        var server = new PostgresServer(directory, temporary, FreePort.Next(), user);
        try
        {
            await server.WaitReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Fast shutdown (SIGINT to the postmaster): connections are refused until <see cref="StartAgainAsync"/>. The cluster is kept.</summary>
    public async Task StopAsync()
    {
        try
        {
            var pidFile = Path.Combine(_directory, "data", "postmaster.pid");
            if (_process.IsRunning && File.Exists(pidFile))
            {
                var pid = (await File.ReadAllLinesAsync(pidFile))[0].Trim();
                await RunAsync(null, "kill", ["-INT", pid]);
                await _process.WaitForExitAsync(TimeSpan.FromSeconds(15));
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // fall through to the kill below
        }

        await _process.DisposeAsync();
    }

    /// <summary>Starts the stopped cluster again on the same port and waits until it accepts connections.</summary>
    /// <exception cref="TimeoutException">Not ready within 120 s.</exception>
    public async Task StartAgainAsync()
    {
        _process = Launch(_directory, Port, _user);
        await WaitReadyAsync();
    }

    private static ServerProcess Launch(string directory, int port, string? user)
    {
        var postgres = ServerProcess.Require(Path.Combine(BinDir, "postgres"), "postgresql");
        return ServerProcess.Start(postgres,
        [
            "-D", Path.Combine(directory, "data"), "-p", port.ToString(CultureInfo.InvariantCulture), "-k", directory,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=200", "-c", "shared_buffers=256MB", "-c", "max_wal_size=4GB", "-c", "maintenance_work_mem=256MB",
        ], user: user);
    }

    private async Task WaitReadyAsync()
    {
        await _process.WaitForOutputAsync("database system is ready to accept connections", TimeSpan.FromSeconds(120));
        await _process.WaitForPortAsync(Port, TimeSpan.FromSeconds(10));
    }

    /// <summary>Creates a database named <paramref name="prefix"/> plus a unique suffix and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        await using var admin = NpgsqlDataSource.Create(ConnectionString("postgres") + ";Pooling=false");
        await using var command = admin.CreateCommand($"CREATE DATABASE \"{name}\"");
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Creates database <paramref name="name"/> when missing; true when it was created now.</summary>
    public async Task<bool> EnsureDatabaseAsync(string name)
    {
        await using var admin = NpgsqlDataSource.Create(ConnectionString("postgres") + ";Pooling=false");
        await using var exists = admin.CreateCommand("SELECT 1 FROM pg_database WHERE datname = $1");
        exists.Parameters.Add(new NpgsqlParameter { Value = name });
        if (await exists.ExecuteScalarAsync() is not null)
        {
            return false;
        }

        await using var create = admin.CreateCommand($"CREATE DATABASE \"{name}\"");
        await create.ExecuteNonQueryAsync();
        return true;
    }

    /// <summary>Fast shutdown (SIGINT to the postmaster by the PID in postmaster.pid), then kill if needed; deletes a temporary cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (!_deleteOnDispose)
        {
            return;
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp directory is harmless
        }
    }

    private static string UnprivilegedUser()
    {
        var user = Environment.GetEnvironmentVariable("SMSGW_PG_OS_USER") ?? "postgres";
        if (!File.ReadLines("/etc/passwd").Any(l => l.StartsWith(user + ":", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException(
                $"OS user '{user}' does not exist and PostgreSQL refuses to run as root. Install the Debian package (apt-get install -y postgresql creates 'postgres'), "
                + $"run .ci/install-servers, or create one: useradd --system --no-create-home {user} (or set SMSGW_PG_OS_USER).");
        }

        return user;
    }

    private static async Task RunAsync(string? user, string fileName, IReadOnlyList<string> arguments)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (user is null)
        {
            psi.FileName = fileName;
        }
        else
        {
            psi.FileName = "runuser";
            foreach (var a in new[] { "-u", user, "--", fileName })
            {
                psi.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }
}
