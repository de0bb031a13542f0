using System.Diagnostics;
using System.Globalization;
using Npgsql;
using SmsGateway.Testing;

namespace SmsGateway.Bench.Postgres;

/// <summary>
/// A PostgreSQL 15 server for benchmarks: <c>initdb</c> (as the unprivileged <c>postgres</c> OS user when run as root) into
/// <paramref name="directory"/> unless a cluster is already there, then <c>postgres</c> on a free loopback port, fsync off.
/// A persistent directory lets several benchmark processes reuse one seeded database. Stopped by PID (fast shutdown).
/// </summary>
internal sealed class PostgresBenchServer : IAsyncDisposable
{
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private readonly ServerProcess _process;
    private readonly string _directory;
    private readonly bool _deleteOnDispose;

    private PostgresBenchServer(ServerProcess process, string directory, int port, bool deleteOnDispose)
    {
        _process = process;
        _directory = directory;
        Port = port;
        _deleteOnDispose = deleteOnDispose;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Maximum Pool Size=30;Command Timeout=600";

    public static async Task<PostgresBenchServer> StartAsync(string? directory = null)
    {
        var initdb = ServerProcess.Require(Path.Combine(BinDir, "initdb"), "postgresql");
        var postgres = ServerProcess.Require(Path.Combine(BinDir, "postgres"), "postgresql");
        var user = Environment.UserName == "root" ? "postgres" : null;
        var deleteOnDispose = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "smsgw-pgbench-" + Guid.NewGuid().ToString("N")[..12]);
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

        var port = FreePort.Next();
        var process = ServerProcess.Start(postgres,
        [
            "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-k", directory,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "shared_buffers=256MB", "-c", "max_wal_size=4GB", "-c", "maintenance_work_mem=256MB",
        ], user: user);
        await process.WaitForOutputAsync("database system is ready to accept connections", TimeSpan.FromSeconds(120));
        return new PostgresBenchServer(process, directory, port, deleteOnDispose);
    }

    /// <summary>Creates the database when missing; true when it was created now.</summary>
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

    public async Task DropDatabaseAsync(string name)
    {
        await using var admin = NpgsqlDataSource.Create(ConnectionString("postgres") + ";Pooling=false");
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        var pidFile = Path.Combine(_directory, "data", "postmaster.pid");
        if (_process.IsRunning && File.Exists(pidFile))
        {
            var pid = (await File.ReadAllLinesAsync(pidFile))[0].Trim();
            await RunAsync(null, "kill", ["-INT", pid]);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (_process.IsRunning && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }

        await _process.DisposeAsync();
        if (_deleteOnDispose)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // leftover temp directory
            }
        }
    }

    private static async Task RunAsync(string? user, string fileName, IReadOnlyList<string> arguments)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.FileName = user is null ? fileName : "runuser";
        if (user is not null)
        {
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
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }
}
