using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmsGateway.Host.Callbacks;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>
/// A client's callback endpoint: Kestrel on a loopback port. It checks every signature, answers 500 to the first POST of
/// each (message, status) to make the gateway retry, and 200 afterwards.
/// </summary>
internal sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _secret;

    private CallbackReceiver(WebApplication app, string secret)
    {
        _app = app;
        _secret = secret;
    }

    public string Url { get; private set; } = string.Empty;

    /// <summary>(id, status) → verified body, accepted with 200.</summary>
    public ConcurrentDictionary<(string Id, string Status), JsonElement> Accepted { get; } = new();

    public ConcurrentDictionary<(string Id, string Status), int> Posts { get; } = new();

    public int BadSignatures;

    public static async Task<CallbackReceiver> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new CallbackReceiver(app, secret);
        app.MapPost("/cb", (Delegate)receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/cb";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        if (!CallbackSigner.Verify(body, _secret, context.Request.Headers["X-Signature"]))
        {
            Interlocked.Increment(ref BadSignatures);
            return Results.StatusCode(401);
        }

        var json = JsonDocument.Parse(body).RootElement.Clone();
        var key = (json.GetProperty("id").GetString()!, json.GetProperty("status").GetString()!);
        if (Posts.AddOrUpdate(key, 1, (_, n) => n + 1) == 1)
        {
            return Results.StatusCode(500); // the first try fails: the gateway must retry
        }

        Accepted[key] = json;
        return Results.Ok();
    }
}
