using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;
using SmsGateway.Testing;

namespace SmsGateway.Tests.EndToEnd.Verify;

/// <summary>The OpenAPI document is complete, and /docs (Scalar) renders it in a real browser (Debian's chromium through Playwright).</summary>
public sealed class ApiDocsTests(GatewayFactory factory) : IClassFixture<GatewayFactory>
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    [Fact(Timeout = 30_000)]
    public async Task The_document_describes_bodies_parameters_problems_and_security_of_every_endpoint()
    {
        var doc = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("apiKey").GetProperty("scheme").GetString());
        Assert.Equal("JWT", schemes.GetProperty("jwt").GetProperty("bearerFormat").GetString());

        var send = doc.GetProperty("paths").GetProperty("/send").GetProperty("post");
        var media = send.GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        var schema = Resolve(doc, media.GetProperty("schema"));
        var properties = schema.GetProperty("properties");
        foreach (var field in new[] { "phone", "text", "type", "user_id", "from", "callback_url" })
        {
            Assert.True(properties.TryGetProperty(field, out _), $"/send body schema lacks {field}");
        }

        Assert.Contains("phone", schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("09121234567", media.GetProperty("example").GetProperty("phone").GetString()); // the seed's call
        var verifyBody = Resolve(doc, doc.GetProperty("paths").GetProperty("/verify").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.True(verifyBody.GetProperty("properties").TryGetProperty("tokens", out _));

        var report = doc.GetProperty("paths").GetProperty("/report/{userId}").GetProperty("get");
        var query = report.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query")
            .Select(p => p.GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "status", "from", "to", "before", "limit" }, query);
        Assert.Contains(doc.GetProperty("paths").GetProperty("/charge/{userId}").GetProperty("post").GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "amount" && p.GetProperty("required").GetBoolean());

        var operations = 0;
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                operations++;
                var name = $"{op.Name.ToUpperInvariant()} {path.Name}";
                Assert.True(op.Value.TryGetProperty("security", out var security) && security.GetArrayLength() == 2, $"{name} declares no security");
                var responses = op.Value.GetProperty("responses").EnumerateObject().ToList();
                foreach (var status in new[] { "401", "403", "429" })
                {
                    Assert.True(responses.Any(r => r.Name == status), $"{name} does not declare {status}");
                }

                foreach (var problem in responses.Where(r => r.Name[0] is '4' or '5'))
                {
                    Assert.True(problem.Value.GetProperty("content").TryGetProperty("application/problem+json", out _),
                        $"{name} {problem.Name} is not application/problem+json");
                }
            }
        }

        Assert.True(operations >= 20, $"only {operations} operations documented");
    }

    [Fact(Timeout = 300_000)]
    public async Task Docs_open_in_headless_chromium_and_show_the_send_operation()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (see .ci/setup.d/chromium.sh)");
        var port = FreePort.Next();
        await using var host = new WebApplicationFactoryWith(b => b.UseSetting("Gateway:Ports:0", port.ToString(CultureInfo.InvariantCulture)));
        host.UseKestrel();
        host.StartServer();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(180_000); // a loaded 2-core machine with other test classes running: rendering can take a while
        page.SetDefaultNavigationTimeout(180_000);
        var failed = new List<string>();
        page.RequestFailed += (_, r) => failed.Add(r.Url);
        var response = await page.GotoAsync($"http://localhost:{port}/docs");
        Assert.NotNull(response);
        Assert.True(response.Ok, $"/docs answered {response.Status}");

        // Scalar renders each operation with its method and path; wait for the /send operation and its summary.
        var summary = page.GetByText("Queue one SMS").First;
        await summary.WaitForAsync(new LocatorWaitForOptions { Timeout = 180_000 });
        Assert.True(await summary.IsVisibleAsync());
        Assert.True(await page.Locator("text=/send").CountAsync() > 0, "no element shows the path /send");
        Assert.Empty(failed);
    }

    private static JsonElement Resolve(JsonElement doc, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? doc.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;
}
