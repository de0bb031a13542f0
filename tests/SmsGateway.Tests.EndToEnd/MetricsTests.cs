using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using SmsGateway.Load.Api;

namespace SmsGateway.Tests.EndToEnd;

/// <summary><c>/metrics</c>: Prometheus text from OpenTelemetry, with the series the load runner and operators read.</summary>
/// <remarks>
/// Runs alone: every in-process host's meter provider listens to the pipeline meter by name, so sends made by test classes
/// running at the same time would be counted in this host's histogram too.
/// </remarks>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client;

    public MetricsTests(GatewayFactory factory) => _client = factory.CreateClient();

    [Fact(Timeout = 30_000)]
    public async Task Metrics_serve_the_accept_histogram_the_load_runner_reads()
    {
        var before = ServerHistogram.Parse(await _client.GetStringAsync("/metrics"), "sms_accept_duration_milliseconds");
        await _client.PostAsync("/charge/metrics-1?amount=100000", null);
        for (int i = 0; i < 5; i++)
        {
            var send = await _client.PostAsync("/send", SeedApiTests.Json("""{"phone":"09121234567","text":"x","type":"express","user_id":"metrics-1"}"""));
            Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        }

        var response = await _client.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE sms_accept_duration_milliseconds histogram", text, StringComparison.Ordinal);

        var accepted = ServerHistogram.Parse(text, "sms_accept_duration_milliseconds").Since(before);
        Assert.Equal(5, accepted.Count);
        Assert.False(double.IsNaN(accepted.UpperBoundAt(99)));

        // The explicit buckets (ms), not OpenTelemetry's defaults (which start at 0, 5, 10 ms and cannot tell 0.25 ms from 4 ms).
        var bounds = text.Split('\n')
            .Where(l => l.StartsWith("sms_accept_duration_milliseconds_bucket{", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..])
            .Select(l => l[..l.IndexOf('"', StringComparison.Ordinal)])
            .Where(b => b != "+Inf")
            .Select(b => double.Parse(b, CultureInfo.InvariantCulture))
            .Distinct()
            .ToArray();
        Assert.Equal(PipelineMetrics.LatencyBucketsMs, bounds);
    }

    [Fact(Timeout = 30_000)]
    public async Task Metrics_carry_the_operator_series()
    {
        await _client.PostAsync("/charge/metrics-2?amount=100000", null);
        var send = await _client.PostAsync("/send", SeedApiTests.Json("""{"phone":"09351234567","text":"x","type":"normal","user_id":"metrics-2"}"""));
        Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        var id = (await send.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        await SeedApiTests.WaitForStatusAsync(_client, id, "sent");

        var lines = (await _client.GetStringAsync("/metrics")).Split('\n');
        string[] series =
        [
            "sms_accepted_total", "sms_status_events_total", "sms_operator_sends_total",
            "sms_accept_queue_depth", "sms_dispatch_queue_depth", "sms_dispatch_in_flight", "sms_consumer_lag",
            "sms_ledger_duration_milliseconds_bucket", "sms_lock_acquire_duration_milliseconds_bucket",
            "sms_broker_publish_duration_milliseconds_bucket", "sms_status_write_duration_milliseconds_bucket",
            "http_server_request_duration_seconds_bucket", "dotnet_gc_collections_total", "process_cpu_time_seconds_total",
        ];
        foreach (var name in series)
        {
            Assert.True(lines.Any(l => l.StartsWith(name + "{", StringComparison.Ordinal)), $"/metrics has no {name} series");
        }

        // One series per accept partition (default 8), per lane, and per subscription the embedded host opened.
        Assert.Equal(8, lines.Count(l => l.StartsWith("sms_accept_queue_depth{", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("sms_dispatch_queue_depth{", StringComparison.Ordinal) && l.Contains("operator=\"MTN\"", StringComparison.Ordinal));
        foreach (var topic in new[] { "sms-express", "sms-normal", "sms-dlq", "sms-status" })
        {
            Assert.Contains(lines, l => l.StartsWith("sms_consumer_lag{", StringComparison.Ordinal) && l.Contains($"topic=\"{topic}\"", StringComparison.Ordinal));
        }

        Assert.Contains(lines, l => l.StartsWith("sms_ledger_duration_milliseconds_count{", StringComparison.Ordinal)
            && l.Contains("operation=\"capture\"", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal));
    }
}

