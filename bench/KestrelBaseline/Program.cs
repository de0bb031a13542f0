using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using SmsGateway.KestrelBaseline;

// The ceiling the embedded gateway's /send is compared with (bench/README.md "HTTP baseline"): the same Kestrel, the same
// body read into the same shape, a 202 with an answer of the gateway's size, and nothing else — no validation, pricing,
// reservation or queueing. POST /charge/{userId} and GET /health/ready exist only so the load runner can prime its users.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
// Kestrel's own socket defaults; `--Sockets:UnsafePreferInlineScheduling=true` gives it the gateway's setting (bench/http-ratio.sh BASELINE_ARGS).
builder.Services.Configure<SocketTransportOptions>(builder.Configuration.GetSection("Sockets"));
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BaselineJson.Default));
var app = builder.Build();

app.MapGet("/health/ready", () => Results.Ok());
app.MapPost("/charge/{userId}", (string userId, long amount) => Results.Ok(new BaselineBalance(userId, amount, 0, 0)));
app.MapPost("/send", async (HttpRequest request) =>
{
    var body = await JsonSerializer.DeserializeAsync(request.Body, BaselineJson.Default.BaselineSendBody, request.HttpContext.RequestAborted);
    if (body is null || string.IsNullOrEmpty(body.Phone) || string.IsNullOrEmpty(body.Text) || string.IsNullOrEmpty(body.UserId))
    {
        return Results.Problem(statusCode: 400, title: "phone, text and user_id are required");
    }

    var id = Guid.CreateVersion7();
    return Results.Json(new BaselineAccepted(id, "queued", body.Phone, "mci", 1, "gsm7", 1250), BaselineJson.Default.BaselineAccepted, statusCode: 202);
});
app.Run();
