using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>Open development mode, and the refusal to start without credentials anywhere else.</summary>
public sealed class StartupTests
{
    private sealed class Host(Dictionary<string, string> settings, ILoggerProvider? logs = null) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            if (logs is not null)
            {
                builder.ConfigureLogging(l => l.AddProvider(logs));
            }
        }
    }

    private sealed class Capture : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("embedded", "*")]
    [InlineData("embedded", "10.1.2.3")]
    [InlineData("full", "127.0.0.1")]
    public async Task Without_credentials_only_loopback_embedded_starts(string profile, string bind)
    {
        await Task.Yield();
        using var host = new Host(new() { ["Gateway:Profile"] = profile, ["Gateway:BindAddress"] = bind, ["Gateway:Transport"] = "nats",
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=x;Username=x" });

        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains("Auth:AdminKeys", error.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Open_development_mode_serves_the_seed_calls_without_credentials_and_warns()
    {
        var logs = new Capture();
        using var host = new Host(new() { ["Gateway:Profile"] = "embedded", ["Gateway:BindAddress"] = "127.0.0.1" }, logs);
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/charge/123?amount=123456", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/send", SeedApiTests.Json(
            """{"phone":"09121234567","text":"Hello","type":"express","user_id":123}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/report/123")).StatusCode);
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("Open development mode", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_short_admin_key_is_refused_at_start()
    {
        await Task.Yield();
        using var host = new Host(new() { ["Auth:AdminKeys:0"] = "short" });
        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("Auth:AdminKeys", error.ToString(), StringComparison.Ordinal);
    }
}
