using SmsGateway.Host.Callbacks;

namespace SmsGateway.Host.Api;

/// <summary><c>GET /messages/{id}/callbacks</c>: the status callbacks this process POSTed for a message, with their outcomes.</summary>
public static class CallbackApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapCallbackApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/messages/{id:guid}/callbacks", (Guid id, CallbackLog log) => TypedResults.Json(new CallbacksResponse(id, log.Get(id)), ApiJson.Options))
            .WithName("GetCallbacks").WithSummary("Status callback attempts of one message").Produces<CallbacksResponse>();
        return app;
    }
}

/// <summary>Answer of <c>GET /messages/{id}/callbacks</c>.</summary>
public sealed record CallbacksResponse(Guid Id, IReadOnlyList<CallbackAttempt> Attempts);
