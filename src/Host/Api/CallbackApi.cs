using SmsGateway.Host.Access;
using SmsGateway.Status;
using SmsGateway.Host.Callbacks;

namespace SmsGateway.Host.Api;

/// <summary><c>GET /messages/{id}/callbacks</c>: the status callbacks this process POSTed for a message, with their outcomes.</summary>
public static class CallbackApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapCallbackApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/messages/{id:guid}/callbacks", GetAsync)
            .WithName("GetCallbacks").WithSummary("Status callback attempts of one message").Produces<CallbacksResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AccessPolicies.Client)
            .WithMetadata(ServedOn.GatewayAndReport);
        return app;
    }

    // The message's owner (or an admin) may read its callbacks; the owner comes from the status store, as for /messages/{id}.
    private static async Task<IResult> GetAsync(HttpContext context, Guid id, CallbackLog log, IStatusStore store)
    {
        var history = await store.GetMessageAsync(id, null, context.RequestAborted);
        if (history is null)
        {
            return Problems.NotFound($"no message {id}");
        }

        if (AccountAccess.ForbidUnlessOwner(context, history.Message.UserId) is { } forbidden)
        {
            return forbidden;
        }

        return TypedResults.Json(new CallbacksResponse(id, log.Get(id)), ApiJson.Options);
    }
}

/// <summary>Answer of <c>GET /messages/{id}/callbacks</c>.</summary>
public sealed record CallbacksResponse(Guid Id, IReadOnlyList<CallbackAttempt> Attempts);
