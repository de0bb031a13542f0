using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmsGateway.Testing;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>
/// Kestrel's socket transport as the host sets it up (README "Configuration", <c>Gateway:Sockets</c>): requests continue
/// on the thread that completed their socket read, and any <see cref="SocketTransportOptions"/> property can be set.
/// </summary>
public sealed class KestrelSocketsTests
{
    [Fact(Timeout = 120_000)]
    public async Task By_default_requests_continue_inline_and_every_concurrent_send_is_answered_and_charged_once()
    {
        var port = FreePort.Next();
        await using var host = new WebApplicationFactoryWith(b => b.UseSetting("Gateway:Ports:0", port.ToString(CultureInfo.InvariantCulture)));
        host.UseKestrel();
        host.StartServer();
        Assert.True(host.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);

        const long funded = 100_000_000;
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/charge/inline?amount={funded}", null)).StatusCode);

        // 32 connections of their own, 25 sends each one after the other: every socket read and write of a connection runs
        // the request inline, with the accept stage's partitions completing answers from other threads meanwhile.
        const int connections = 32, perConnection = 25;
        var answers = await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            using var client = new HttpClient { BaseAddress = admin.BaseAddress };
            var mine = new List<(HttpStatusCode Status, string? Id, long Cost)>();
            for (var i = 0; i < perConnection; i++)
            {
                using var body = new StringContent($$"""{"phone":"0912{{c:D3}}{{i:D4}}","text":"inline {{c}}/{{i}}","type":"express","user_id":"inline"}""",
                    Encoding.UTF8, "application/json");
                using var response = await client.PostAsync("/send", body);
                var json = await response.Content.ReadFromJsonAsync<JsonElement>();
                mine.Add(response.StatusCode == HttpStatusCode.Accepted
                    ? (response.StatusCode, json.GetProperty("id").GetString(), json.GetProperty("cost").GetInt64())
                    : (response.StatusCode, null, 0));
            }

            return mine;
        }));

        var all = answers.SelectMany(a => a).ToList();
        Assert.All(all, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        Assert.Equal(connections * perConnection, all.Select(a => a.Id).Distinct().Count());
        var balance = await admin.GetFromJsonAsync<JsonElement>("/balance/inline");
        Assert.Equal(funded - all.Sum(a => a.Cost), balance.GetProperty("available").GetInt64());
    }

    [Fact(Timeout = 60_000)]
    public async Task Gateway_Sockets_sets_Kestrels_socket_transport_options()
    {
        await using var host = new WebApplicationFactoryWith(b =>
        {
            b.UseSetting("Gateway:Sockets:UnsafePreferInlineScheduling", "false");
            b.UseSetting("Gateway:Sockets:IOQueueCount", "0");
        });
        var options = host.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
        Assert.False(options.UnsafePreferInlineScheduling);
        Assert.Equal(0, options.IOQueueCount);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_socket_option_of_the_wrong_type_stops_the_start_naming_its_key()
    {
        await using var host = new WebApplicationFactoryWith(b => b.UseSetting("Gateway:Sockets:IOQueueCount", "two"));
        var error = Assert.Throws<OptionsValidationException>(() => host.CreateClient());
        Assert.Contains("Gateway:Sockets:IOQueueCount", error.Message, StringComparison.Ordinal);
    }
}
