using System.Globalization;
using System.Net;
using Xunit.Abstractions;

namespace SmsGateway.Tests.FullStack;

/// <summary>
/// Issue 11, "Done when": a gateway process and a dispatcher process over NATS (with Redis and PostgreSQL) record one trace.
/// Each host runs as its own OS process (<c>dotnet SmsGateway.Host.dll</c>) with the console trace exporter on; the test reads
/// the spans from their standard output and follows the parent chain from the dispatcher's send span back to the gateway's
/// accept span. The context crosses the processes only through the <c>traceparent</c> header of the NATS message.
/// </summary>
[Collection(FullStackCollection.Name)]
public sealed class TraceAcrossProcessesTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact(Timeout = 120_000)]
    public async Task One_trace_spans_the_gateway_and_dispatcher_processes()
    {
        var db = await stack.Postgres.CreateDatabaseAsync("trace");
        var settings = HostSettings.Create(stack, db).Nats(stack.Nats);
        int gatewayPort = FreePort.Next();
        int dispatcherPort = FreePort.Next();
        await using var gateway = StartHost(settings, "gateway,reporter", gatewayPort, "sms-gateway-gw");
        await using var dispatcher = StartHost(settings, "dispatcher", dispatcherPort, "sms-gateway-dispatch");
        await WaitReadyAsync(gateway, gatewayPort);
        await WaitReadyAsync(dispatcher, dispatcherPort);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", FullStackHost.AdminKey);
        var api = new GatewayApi(http);
        await api.ChargeAsync("trace-1", 100_000);
        var (status, body) = await api.SendAsync("trace-1", "09121234567", "traced", "express");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = body.GetProperty("id").GetString()!;
        await api.WaitForStatusAsync(id, "sent", TimeSpan.FromSeconds(30));

        // The gateway prints its accept span when the request ends; the dispatcher prints send before settle ends.
        var accept = await FindAsync(gateway, "gateway", s => s.Name == "accept" && s.Tags.GetValueOrDefault("sms.message_id") == id);
        var send = await FindAsync(dispatcher, "dispatcher", s => s.Name == "send MCI" && s.TraceId == accept.TraceId);
        await FindAsync(dispatcher, "dispatcher", s => s.Name == "settle" && s.TraceId == accept.TraceId);

        var spans = ConsoleSpan.Parse("gateway", gateway.Output).Concat(ConsoleSpan.Parse("dispatcher", dispatcher.Output))
            .Where(s => s.TraceId == accept.TraceId)
            .ToList();
        foreach (var span in spans)
        {
            output.WriteLine(span.ToString());
        }

        // send (dispatcher) -> dispatch sms-express (dispatcher) -> publish sms-express (gateway) -> accept (gateway)
        var dispatch = Parent(spans, send);
        Assert.Equal(("dispatcher", "dispatch sms-express", "Consumer"), (dispatch.Process, dispatch.Name, dispatch.Kind));
        var publish = Parent(spans, dispatch);
        Assert.Equal(("gateway", "publish sms-express", "Producer"), (publish.Process, publish.Name, publish.Kind));
        Assert.Equal(accept.SpanId, Parent(spans, publish).SpanId);
        Assert.Equal("Client", send.Kind);

        // The accept span sits under the HTTP server span of POST /send, so the trace starts at the client's request.
        Assert.Equal(("gateway", "POST /send"), (Parent(spans, accept).Process, Parent(spans, accept).Name));

        // The status events go back to the gateway process (reporter role) and are written there in the same trace.
        Assert.Contains(spans, s => s.Process == "gateway" && s.Name == "status sms-status");
    }

    private static ConsoleSpan Parent(List<ConsoleSpan> spans, ConsoleSpan child)
    {
        Assert.NotNull(child.ParentSpanId);
        var parent = spans.SingleOrDefault(s => s.SpanId == child.ParentSpanId);
        Assert.True(parent is not null, $"the parent {child.ParentSpanId} of {child} was not printed by either process");
        return parent;
    }

    private static async Task<ConsoleSpan> FindAsync(ServerProcess process, string name, Func<ConsoleSpan, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var span = ConsoleSpan.Parse(name, process.Output).FirstOrDefault(match);
            if (span is not null)
            {
                return span;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the {name} process printed no matching span:\n{process.Output}");
            await Task.Delay(50);
        }
    }

    private static ServerProcess StartHost(HostSettings settings, string roles, int port, string serviceName)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "SmsGateway.Host.dll");
        Assert.True(File.Exists(host), $"{host} is missing: the test project references src/Host, so the build copies it here");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : ServerProcess.Require("dotnet", "dotnet-sdk-10.0");
        string[] args =
        [
            host, .. settings.Arguments(),
            "--Gateway:Roles=" + roles,
            // appsettings.json lists three ports: give all three entries this one port (the host serves distinct ports).
            "--Gateway:Ports:0=" + port.ToString(CultureInfo.InvariantCulture),
            "--Gateway:Ports:1=" + port.ToString(CultureInfo.InvariantCulture),
            "--Gateway:Ports:2=" + port.ToString(CultureInfo.InvariantCulture),
            "--Gateway:AllPathsOnEveryPort=true",
            "--Telemetry:Console=true",
            "--Telemetry:ServiceName=" + serviceName,
        ];
        return ServerProcess.Start(dotnet, args, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });
    }

    private static async Task WaitReadyAsync(ServerProcess process, int port)
    {
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening (yet, or any more): the deadline below reports the process's output
            }

            Assert.True(DateTime.UtcNow < deadline && process.IsRunning, $"not ready on {port}:\n{process.Output}");
            await Task.Delay(100);
        }
    }
}
