using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>Per-IP limits, the block after repeated authentication failures, the body limit, and each port's own paths.</summary>
public sealed class AbuseTests
{
    private static async Task<HttpContext> CallAsync(SecuredGatewayFactory factory, string method, string path, string? ip = null, int port = 0,
        string? token = null, long? contentLength = null)
    {
        return await factory.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            var query = path.IndexOf('?', StringComparison.Ordinal);
            c.Request.Path = query < 0 ? path : path[..query];
            c.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(path[query..]);
            if (ip is not null)
            {
                c.Connection.RemoteIpAddress = IPAddress.Parse(ip);
            }

            c.Connection.LocalPort = port;
            if (token is not null)
            {
                c.Request.Headers.Authorization = "Bearer " + token;
            }

            if (contentLength is not null)
            {
                c.Request.ContentLength = contentLength;
                c.Request.ContentType = "application/json";
                c.Request.Body = new MemoryStream(new byte[contentLength.Value]);
            }
        });
    }

    [Fact(Timeout = 30_000)]
    public async Task Anonymous_requests_per_ip_are_limited_with_429()
    {
        using var factory = new SecuredGatewayFactory();
        factory.Settings["Auth:Abuse:AnonymousPerIpPerSecond"] = "3";
        var codes = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            codes.Add((await CallAsync(factory, "GET", "/balance/x", "203.0.113.7")).Response.StatusCode);
        }

        Assert.Equal([401, 401, 401], codes.Take(3));
        Assert.Contains(429, codes.Skip(3));
        Assert.Equal(401, (await CallAsync(factory, "GET", "/balance/x", "203.0.113.8")).Response.StatusCode);
        Assert.Equal(200, (await CallAsync(factory, "GET", "/balance/x", "203.0.113.7", token: SecuredGatewayFactory.AdminKey)).Response.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Repeated_authentication_failures_block_the_ip_even_with_a_good_key()
    {
        using var factory = new SecuredGatewayFactory();
        factory.Settings["Auth:Abuse:FailuresBeforeBlock"] = "3";
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(401, (await CallAsync(factory, "GET", "/balance/x", "198.51.100.9", token: "wrong-key-" + i)).Response.StatusCode);
        }

        var blocked = await CallAsync(factory, "GET", "/balance/x", "198.51.100.9", token: SecuredGatewayFactory.AdminKey);
        Assert.Equal(429, blocked.Response.StatusCode);
        Assert.True(int.Parse(blocked.Response.Headers.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(200, (await CallAsync(factory, "GET", "/balance/x", "198.51.100.10", token: SecuredGatewayFactory.AdminKey)).Response.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_body_over_the_limit_is_413_on_every_endpoint()
    {
        using var factory = new SecuredGatewayFactory();
        foreach (var path in new[] { "/send", "/charge/x?amount=1", "/accounts/x/keys" })
        {
            var context = await CallAsync(factory, "POST", path, token: SecuredGatewayFactory.AdminKey, contentLength: 64 * 1024 + 1);
            Assert.Equal(413, context.Response.StatusCode);
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData(7070, "POST", "/send", false)]
    [InlineData(7070, "POST", "/charge/p?amount=1", true)]
    [InlineData(7070, "GET", "/balance/p", true)]
    [InlineData(7070, "GET", "/report/p", true)]
    [InlineData(8081, "POST", "/send", true)]
    [InlineData(8081, "GET", "/balance/p", false)]
    [InlineData(8081, "GET", "/accounts/p/keys", false)]
    [InlineData(8081, "GET", "/report/p", true)]
    [InlineData(6070, "GET", "/report/p", false)]
    [InlineData(6070, "GET", "/balance/p", true)]
    [InlineData(6070, "GET", "/messages/0192f0a0-0000-7000-8000-000000000000", false)]
    [InlineData(7070, "GET", "/messages/0192f0a0-0000-7000-8000-000000000000", false)]
    [InlineData(8081, "GET", "/messages/0192f0a0-0000-7000-8000-000000000000", true)]
    [InlineData(8081, "GET", "/health/live", false)]
    public async Task Each_port_serves_its_own_paths(int port, string method, string path, bool notHere)
    {
        using var factory = new SecuredGatewayFactory();
        var context = await CallAsync(factory, method, path, port: port, token: SecuredGatewayFactory.AdminKey);
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Equal(notHere, context.Response.StatusCode == 404 && body.Contains("/problems/not-on-this-port", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task One_port_may_serve_every_path()
    {
        using var factory = new SecuredGatewayFactory();
        factory.Settings["Gateway:AllPathsOnEveryPort"] = "true";
        Assert.Equal(200, (await CallAsync(factory, "GET", "/balance/p", port: 7070, token: SecuredGatewayFactory.AdminKey)).Response.StatusCode);
    }
}
