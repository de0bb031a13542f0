using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>An embedded gateway for the scheduling, validity and cancel tests, and helpers to read its simulator's send log.</summary>
internal sealed class ScheduleTestKit : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sgw-schedule-").FullName;

    /// <param name="mciRatePerSecond">MCI's rate limit in a copy of operator.json (0 = none): a backlog in MCI's lane.</param>
    /// <param name="settings">More settings.</param>
    public ScheduleTestKit(int mciRatePerSecond = 0, IReadOnlyDictionary<string, string>? settings = null)
    {
        SendLog = Path.Combine(_dir, "sends.log");
        var table = Path.Combine(_dir, "operator.json");
        var json = File.ReadAllText(FindOperatorJson());
        File.WriteAllText(table, json);
        if (mciRatePerSecond > 0)
        {
            // Only MCI (the first operator) gets the limit.
            int at = json.IndexOf("\"rate_limit_per_second\": 0", StringComparison.Ordinal);
            json = string.Concat(json.AsSpan(0, at), $"\"rate_limit_per_second\": {mciRatePerSecond}", json.AsSpan(at + "\"rate_limit_per_second\": 0".Length));
            File.WriteAllText(table, json);
        }

        Factory = new WebApplicationFactoryWith(b =>
        {
            b.UseSetting("Gateway:OperatorTable", table);
            b.UseSetting("Gateway:Simulator:SendLogPath", SendLog);
            b.UseSetting("Pipeline:SchedulerPollInterval", "00:00:00.020");
            b.UseSetting("Pipeline:MinValidityPeriod", "00:00:01");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
        });
        Client = Factory.CreateClient();
    }

    public WebApplicationFactoryWith Factory { get; }

    public HttpClient Client { get; }

    public string SendLog { get; }

    // The copy beside the test binaries (linked from src/Host), else the repository's.
    private static string FindOperatorJson()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "operator.json")))
        {
            dir = dir.Parent;
        }

        return dir is null ? throw new FileNotFoundException("operator.json not found above " + AppContext.BaseDirectory) : Path.Combine(dir.FullName, "operator.json");
    }

    public static string At(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary>POST /send; returns the answer's status code and body.</summary>
    public async Task<(HttpStatusCode Code, JsonElement Body)> SendAsync(string user, string phone, string extra = "", string type = "express")
    {
        var response = await Client.PostAsync("/send", SeedApiTests.Json($$"""{"phone":"{{phone}}","text":"hello","type":"{{type}}","user_id":"{{user}}"{{extra}}}"""));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>DELETE /messages/{id}, repeated while 404 (a queued message reaches the status store within a batch age).</summary>
    public async Task<HttpResponseMessage> CancelAsync(string id, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var response = await Client.DeleteAsync($"/messages/{id}");
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                return response;
            }

            await Task.Delay(5);
        }
    }

    /// <summary>The simulator's send log: message id (N format) → accepted sends and all sends.</summary>
    public Dictionary<string, (int Accepted, int All)> Sends()
    {
        var sends = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        if (!File.Exists(SendLog))
        {
            return sends;
        }

        using var stream = new FileStream(SendLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            var (accepted, all) = sends.GetValueOrDefault(parts[0]);
            sends[parts[0]] = (accepted + (parts[2] == "A" ? 1 : 0), all + 1);
        }

        return sends;
    }

    public async Task<JsonElement> BalanceAsync(string user) => await Client.GetFromJsonAsync<JsonElement>($"/balance/{user}");

    /// <summary>Waits until no money is reserved for <paramref name="user"/>; asserts available + spent == charged.</summary>
    public async Task<JsonElement> AssertSettledAsync(string user, long charged)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var b = await BalanceAsync(user);
            if (b.GetProperty("reserved").GetInt64() == 0)
            {
                Assert.Equal(charged, b.GetProperty("available").GetInt64() + b.GetProperty("spent").GetInt64());
                return b;
            }

            Assert.True(DateTime.UtcNow < deadline, $"money still reserved: {b}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a process still holds the log: the temp directory is cleaned up by the OS
        }
    }
}
