using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace SmsGateway.Testing;

/// <summary>
/// A real server process (redis-server, nats-server, postgres) started for tests and stopped by PID.
/// Its output is kept so a failed start can say why.
/// </summary>
/// <remarks>
/// Every process started here is tracked until it is disposed, with the test that started it. A process still running
/// when the test host exits was never stopped by its test: it is killed then, and named with that test on standard error
/// and in <see cref="UnstoppedLog"/>, so no server outlives the test run (a leftover keeps its port and memory on the CI
/// machine). A test host that is itself killed cannot do this; <c>.ci/run</c> lists what is left after the run.
/// </remarks>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<ServerProcess, bool> Running = new();

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _fileName;

    /// <summary>
    /// Where the servers killed at a test host's exit are also named (<c>$TMPDIR/smsgw-unstopped-servers.log</c>): the
    /// test runner shows a test host's standard error only at detailed verbosity, so <c>.ci/run</c> prints this file.
    /// </summary>
    public static readonly string UnstoppedLog = Path.Combine(Path.GetTempPath(), "smsgw-unstopped-servers.log");

    static ServerProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillUnstopped();

    private ServerProcess(Process process, string fileName, string startedBy)
    {
        _process = process;
        _fileName = Path.GetFileName(fileName);
        StartedBy = startedBy;
    }

    /// <summary>The test that started this process (<c>Class.Method</c>, <c>?</c> when unknown).</summary>
    public string StartedBy { get; }

    /// <summary>
    /// The processes started here and not yet stopped, each as its PID and a label
    /// <c>&lt;executable&gt; started by &lt;Class.Method&gt;</c> (see <see cref="StartedBy"/>).
    /// </summary>
    public static IReadOnlyCollection<(int Pid, string Label)> Unstopped =>
        [.. Running.Keys.Select(p => (p.Pid, $"{p._fileName} started by {p.StartedBy}"))];

    /// <summary>OS process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Everything the process printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Finds <paramref name="executable"/> on PATH (or as an absolute path), failing with a message that names the
    /// Debian package to install.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not installed.</exception>
    public static string Require(string executable, string debianPackage)
    {
        if (Path.IsPathRooted(executable) && File.Exists(executable))
        {
            return executable;
        }

        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/lib/postgresql/15/bin"]);
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{executable}' is not installed. Install it with: apt-get install -y {debianPackage} (or run .ci/install-servers).");
    }

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>.</summary>
    /// <param name="fileName">Executable path.</param>
    /// <param name="arguments">Arguments, one per element (no shell quoting).</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <param name="user">When set, run as this OS user through <c>runuser -u</c> (PostgreSQL refuses root).</param>
    /// <param name="startedBy">The test to name should it never stop the process; by default the test method on the
    /// stack. A restart passes the first start's <see cref="StartedBy"/>: it runs after an <c>await</c>, where the test's
    /// frames are no longer on the stack.</param>
    public static ServerProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? user = null, string? startedBy = null)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (user is null)
        {
            psi.FileName = fileName;
        }
        else
        {
            psi.FileName = "runuser";
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(user);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(fileName);
        }

        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        var server = new ServerProcess(process, fileName, startedBy ?? StartingTest());
        Running[server] = true;
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until a TCP connect to 127.0.0.1:<paramref name="port"/> succeeds.</summary>
    /// <exception cref="TimeoutException">Not listening within <paramref name="timeout"/>, or the process exited; the message holds its output.</exception>
    public async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new TimeoutException($"server exited with code {_process.ExitCode} before listening on {port}:\n{Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new TimeoutException($"server not listening on {port} after {timeout}:\n{Output}");
    }

    /// <summary>Waits until the output contains <paramref name="text"/>.</summary>
    /// <exception cref="TimeoutException">Not seen within <paramref name="timeout"/>.</exception>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"'{text}' not printed within {timeout}:\n{Output}");
    }

    /// <summary>Sends a POSIX signal (e.g. SIGSTOP = 19, SIGCONT = 18) to the process by PID.</summary>
    public void Signal(int signal) => _ = Process.Start("kill", [$"-{signal}", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(5000);

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit by itself.</summary>
    /// <returns>True when it exited in time.</returns>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the process (and its children) and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        catch (OperationCanceledException)
        {
            // Not gone within 10 s of the kill: it stays tracked, so the test host's exit tries again and names it.
            Console.Error.WriteLine($"testing: {_fileName} (pid {Pid}) still runs 10 s after its kill");
            return;
        }

        Running.TryRemove(this, out _);
        _process.Dispose();
    }

    /// <summary>Kills what the tests left running (called when the test host exits).</summary>
    private static void KillUnstopped()
    {
        foreach (var server in Running.Keys)
        {
            try
            {
                if (server._process.HasExited)
                {
                    continue;
                }

                server._process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                continue; // exited in between
            }

            var line = $"testing: {server._fileName} started by {server.StartedBy} (pid {server.Pid}) was never stopped; killed as the test host exits";
            Console.Error.WriteLine(line);
            try
            {
                File.AppendAllLines(UnstoppedLog, [line]);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"testing: could not append to {UnstoppedLog}: {e.Message}");
            }
        }
    }

    /// <summary>
    /// The outermost method of a test assembly on the current stack (the test method, or a fixture's set-up), as
    /// <c>Class.Method</c>; <c>?</c> when there is none (a start after an <c>await</c> runs on a pool thread). An async
    /// method shows up as its state machine (<c>Class+&lt;Method&gt;d__N.MoveNext</c>) and is named by its method.
    /// </summary>
    private static string StartingTest()
    {
        string? found = null;
        foreach (var frame in new StackTrace().GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            var method = frame.GetMethod()?.Name;
            if (type is { Name: ['<', ..] } && type.Name.IndexOf('>', StringComparison.Ordinal) > 1 && type.DeclaringType is { } outer)
            {
                method = type.Name[1..type.Name.IndexOf('>', StringComparison.Ordinal)];
                type = outer;
            }

            if (type?.Namespace?.StartsWith("SmsGateway.Tests.", StringComparison.Ordinal) == true)
            {
                found = $"{type.Name}.{method}";
            }
        }

        return found ?? "?";
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
