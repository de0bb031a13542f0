using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>
/// The per-request Activity and log scope of ASP.NET Core's hosting layer (README "Observability"): made only when something
/// reads them. A middleware placed ahead of the host's own records <see cref="Activity.Current"/> as each request sees it.
/// </summary>
public sealed class HostingActivityTests
{
    [Fact]
    public async Task By_default_a_request_runs_without_a_hosting_activity()
    {
        var seen = new ActivitySeen();
        await using var factory = new GatewayFactory().WithWebHostBuilder(seen.Install);
        Assert.Null(await seen.OnRequestAsync(factory));
    }

    [Fact]
    public async Task Json_logs_keep_the_hosting_activity_so_their_scopes_carry_trace_ids()
    {
        var seen = new ActivitySeen();
        await using var factory = seen.Host("Telemetry:JsonLogs", "true");
        Assert.Equal(ActivityIdFormat.W3C, (await seen.OnRequestAsync(factory))?.IdFormat);
    }

    [Fact]
    public async Task A_level_set_for_the_hosting_category_is_the_one_that_applies()
    {
        var seen = new ActivitySeen();
        await using var factory = seen.Host("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Warning");
        Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn", (await seen.OnRequestAsync(factory))?.OperationName);
    }

    private sealed class ActivitySeen : IStartupFilter
    {
        private Activity? _current;
        private bool _ran;

        public void Install(IWebHostBuilder builder) => builder.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(this));

        // The embedded host with one more setting, recording into this instance.
        public WebApplicationFactory<Program> Host(string key, string value) => new GatewayFactory().WithWebHostBuilder(b =>
        {
            b.UseSetting(key, value);
            Install(b);
        });

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                _current = Activity.Current;
                _ran = true;
                return nextMiddleware(context);
            });
            next(app);
        };

        public async Task<Activity?> OnRequestAsync(WebApplicationFactory<Program> factory)
        {
            using var client = factory.CreateClient();
            using var response = await client.GetAsync("/health/live");
            Assert.True(_ran, "the recording middleware did not run");
            return _current;
        }
    }
}
