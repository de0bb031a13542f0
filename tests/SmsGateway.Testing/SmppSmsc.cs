using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SmsGateway.Testing;

/// <summary>
/// The scriptable SMSC of tests/SmsGateway.Tests.Smpp/smsc/smsc.js (npm <c>smpp</c> 0.5.1, installed by
/// .ci/setup.d/smpp.sh) on free loopback ports, stopped by PID. Its behaviour is set and its record read over a small
/// JSON control API (see the script's header).
/// </summary>
public sealed class SmppSmsc : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly HttpClient _control;

    private SmppSmsc(ServerProcess process, int port, int controlPort, string systemId, string password)
    {
        _process = process;
        Port = port;
        SystemId = systemId;
        Password = password;
        _control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{controlPort}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>SMPP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The system_id the SMSC accepts.</summary>
    public string SystemId { get; }

    /// <summary>The password the SMSC accepts.</summary>
    public string Password { get; }

    /// <summary>The folder of smsc.js with its node_modules.</summary>
    /// <exception cref="InvalidOperationException">Not found, or npm packages not installed (the message says how to install them).</exception>
    public static string ScriptDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "SmsGateway.Tests.Smpp", "smsc");
            if (File.Exists(Path.Combine(candidate, "smsc.js")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules", "smpp")))
                {
                    throw new InvalidOperationException($"the npm package 'smpp' is not installed in {candidate}: run .ci/setup.d/smpp.sh (npm ci; needs apt-get install -y nodejs npm)");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException("tests/SmsGateway.Tests.Smpp/smsc not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Starts the SMSC and waits until it listens.</summary>
    /// <exception cref="InvalidOperationException">node or the npm packages are missing.</exception>
    /// <exception cref="TimeoutException">It did not start within 20 s.</exception>
    public static async Task<SmppSmsc> StartAsync(string systemId = "gateway", string password = "secret")
    {
        var dir = ScriptDirectory();
        var node = ServerProcess.Require("node", "nodejs");
        int port = FreePort.Next(), control = FreePort.Next();
        var process = ServerProcess.Start(node, [Path.Combine(dir, "smsc.js"), "--port", Str(port), "--control", Str(control), "--system-id", systemId, "--password", password]);
        var smsc = new SmppSmsc(process, port, control, systemId, password);
        try
        {
            await process.WaitForOutputAsync("READY", TimeSpan.FromSeconds(20));
        }
        catch
        {
            await smsc.DisposeAsync();
            throw;
        }

        return smsc;
    }

    /// <summary>Merges behaviour into the SMSC's script (keys as in smsc.js: delay_ms, throttle_next, receipt, ...).</summary>
    public async Task ConfigureAsync(object behaviour) =>
        (await _control.PostAsJsonAsync("config", behaviour)).EnsureSuccessStatusCode();

    /// <summary>
    /// Writes a copy of an operator table (operator.json) into a new temporary folder, with <paramref name="operatorName"/>'s
    /// connection pointing at this SMSC over SMPP, bound as this SMSC's system id with <paramref name="sourceAddress"/>.
    /// </summary>
    /// <param name="operatorTable">Path of the operator.json to copy.</param>
    /// <param name="operatorName">The operator to route to this SMSC, e.g. "MCI".</param>
    /// <param name="sourceAddress">The ESME's default source address.</param>
    /// <returns>The path of the copy, for <c>Gateway:OperatorTable</c>.</returns>
    public async Task<string> WriteOperatorTableAsync(string operatorTable, string operatorName = "MCI", string sourceAddress = "3000123")
    {
        var table = JsonNode.Parse(await File.ReadAllTextAsync(operatorTable))!;
        var entry = table["operators"]!.AsArray().First(o => (string?)o!["name"] == operatorName)!;
        entry["connection"] = new JsonObject
        {
            ["type"] = "smpp", ["host"] = "127.0.0.1", ["port"] = Port, ["system_id"] = SystemId,
            ["password"] = Password, ["source_addr"] = sourceAddress,
        };
        var path = Path.Combine(Directory.CreateTempSubdirectory("smsgw-smsc-").FullName, "operator.json");
        await File.WriteAllTextAsync(path, table.ToJsonString());
        return path;
    }

    /// <summary>Sends a mobile-originated deliver_sm (UCS-2) on a receiving bind.</summary>
    public async Task SendMobileOriginatedAsync(string source, string destination, string text) =>
        (await _control.PostAsJsonAsync("mo", new { source_addr = source, destination_addr = destination, text })).EnsureSuccessStatusCode();

    /// <summary>Closes every SMPP connection now.</summary>
    public async Task DropAsync() => (await _control.PostAsync("drop", null)).EnsureSuccessStatusCode();

    /// <summary>What the SMSC received so far (binds, unbinds, enquire_links, submits, receipts_acked, sessions).</summary>
    public async Task<JsonElement> StateAsync() => await _control.GetFromJsonAsync<JsonElement>("state");

    /// <summary>
    /// Runs the npm package's own client (raw-client.js) against this SMSC: <paramref name="count"/> submit_sm with
    /// <paramref name="window"/> outstanding through one transceiver bind.
    /// </summary>
    /// <returns>Submits answered per second.</returns>
    public async Task<double> RunRawClientAsync(int count, int window)
    {
        var psi = new ProcessStartInfo(ServerProcess.Require("node", "nodejs")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = ScriptDirectory() };
        foreach (var a in new[] { "raw-client.js", "--port", Str(Port), "--count", Str(count), "--window", Str(window), "--system-id", SystemId, "--password", Password })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"raw-client.js exited {p.ExitCode}: {await stderr}");
        }

        return JsonDocument.Parse(await stdout).RootElement.GetProperty("per_second").GetDouble();
    }

    /// <summary>Stops the SMSC by PID.</summary>
    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        await _process.DisposeAsync();
    }

    private static string Str(int n) => n.ToString(CultureInfo.InvariantCulture);
}
