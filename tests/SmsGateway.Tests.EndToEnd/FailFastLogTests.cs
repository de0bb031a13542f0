using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SmsGateway.Accept;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>
/// An outage under load must not write one warning per refused request: the circuit's opening is logged once (event 7100)
/// and each request it refuses at Debug (1203). A 503 after a real call failed keeps its warning (1201).
/// </summary>
public sealed class FailFastLogTests
{
    [Fact(Timeout = 30_000)]
    public async Task Requests_refused_by_an_open_circuit_are_logged_at_debug_not_as_one_warning_each()
    {
        var logs = new FakeLogCollector();
        await using var factory = new WebApplicationFactoryWith(b => b
            .UseSetting("Logging:LogLevel:SmsGateway.Host.Api", "Debug")
            .ConfigureLogging(l => l.AddProvider(new FakeLoggerProvider(logs))));
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/charge/fflog?amount=100000", null)).StatusCode);
        var circuits = factory.Services.GetRequiredService<SmsPipeline>().Circuits;
        for (int i = 0; i < 3; i++)
        {
            circuits.Report(AcceptDependency.Broker, reachable: false); // three failed probes: the default threshold
        }

        for (int i = 0; i < 5; i++)
        {
            var response = await client.PostAsync("/send", Json("""{"phone":"09121234567","text":"x","type":"express","user_id":"fflog"}"""));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        var records = logs.GetSnapshot();
        var refusals = records.Where(r => r.Id.Id == 1203).ToList();
        Assert.Equal(5, refusals.Count);
        Assert.All(refusals, r => Assert.Equal(LogLevel.Debug, r.Level));
        Assert.All(refusals, r => Assert.Contains("message broker", r.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(records, r => r.Id.Id == 1201);
        Assert.Single(records, r => r.Id.Id == 7100);
    }
}
