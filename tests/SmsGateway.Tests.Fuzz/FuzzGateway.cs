using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace SmsGateway.Tests.Fuzz;

/// <summary>
/// The embedded host with an admin key, limits out of the way, and one funded account (<see cref="User"/>) with its own
/// client key. Requests go through <see cref="TestServer.SendAsync"/>, so headers, paths and bodies can be anything.
/// </summary>
public sealed class FuzzGateway : WebApplicationFactory<Program>
{
    public const string AdminKey = "fuzz-admin-key-0123456789abcdef";
    public const string User = "fz1";
    private static int _cases;

    /// <summary>Cases run by every property of this process.</summary>
    public static int Cases => Volatile.Read(ref _cases);

    /// <summary>Counts one generated case.</summary>
    public static void Count() => Interlocked.Increment(ref _cases);

    public string ClientKey { get; private set; } = "";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Gateway:Profile", "embedded");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Auth:AdminKeys:0", AdminKey);
        builder.UseSetting("Auth:Limits:RequestsPerSecond", "1000000");
        builder.UseSetting("Auth:Limits:MessagesPerSecond", "1000000");
        builder.UseSetting("Auth:Abuse:AnonymousPerIpPerSecond", "1000000");
        builder.UseSetting("Auth:Abuse:FailuresBeforeBlock", "1000000");
    }

    /// <summary>Starts the host, funds <see cref="User"/> and issues its key.</summary>
    public async Task PrepareAsync()
    {
        if (ClientKey.Length > 0)
        {
            return;
        }

        await SendAsync("POST", $"/charge/{User}", "?amount=1000000000", AdminKey, null, null);
        var (_, body) = await SendAsync("POST", $"/accounts/{User}/keys", "", AdminKey, null, null);
        ClientKey = JsonDocument.Parse(body).RootElement.GetProperty("api_key").GetString()!;
    }

    /// <summary>One request, as raw as the test server allows; returns the status and the body text.</summary>
    public async Task<(int Status, string Body)> SendAsync(string method, string path, string query, string? token, byte[]? body,
        IReadOnlyDictionary<string, string>? headers)
    {
        var context = await Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = new PathString(path);
            c.Request.QueryString = query.Length == 0 ? QueryString.Empty : new QueryString(query);
            if (token is not null)
            {
                c.Request.Headers.Authorization = "Bearer " + token;
            }

            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                c.Request.Headers[name] = value;
            }

            if (body is not null)
            {
                c.Request.ContentType ??= "application/json";
                c.Request.ContentLength = body.Length;
                c.Request.Body = new MemoryStream(body);
            }
        });
        using var reader = new StreamReader(context.Response.Body, Encoding.UTF8);
        return (context.Response.StatusCode, await reader.ReadToEndAsync());
    }

    /// <summary>available, reserved and spent of <paramref name="user"/>.</summary>
    public async Task<(long Available, long Reserved, long Spent)> BalanceAsync(string user)
    {
        var (_, body) = await SendAsync("GET", $"/balance/{user}", "", AdminKey, null, null);
        var root = JsonDocument.Parse(body).RootElement;
        return (root.GetProperty("available").GetInt64(), root.GetProperty("reserved").GetInt64(), root.GetProperty("spent").GetInt64());
    }
}
