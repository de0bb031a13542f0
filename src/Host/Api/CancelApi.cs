using SmsGateway.Billing;
using SmsGateway.Host.Access;
using SmsGateway.Model;
using SmsGateway.Scheduling;
using SmsGateway.Status;

namespace SmsGateway.Host.Api;

/// <summary><c>DELETE /messages/{id}</c>: cancel a scheduled or queued message whose sending has not started.</summary>
public static class CancelApi
{
    /// <summary>Maps the endpoint (gateway role).</summary>
    public static IEndpointRouteBuilder MapCancelApi(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/messages/{id}", CancelAsync)
            .WithName("CancelMessage")
            .WithSummary("Cancel a scheduled or queued message")
            .WithDescription("Owner or admin. A message that is scheduled, or queued and not yet handed to the operator, becomes canceled " +
                "(final) and its price is refunded: 200 {\"id\",\"status\":\"canceled\",\"refunded\"}. 409 once sending has started (or the " +
                "message is already final); 404 for an unknown id (a just-accepted queued message is known within a status batch age, ~50 ms).")
            .Produces<CancelResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(AccessPolicies.Client)
            .WithMetadata(ServedOn.GatewayAndReport);
        return app;
    }

    internal static async Task<IResult> CancelAsync(HttpContext context, string id, SmsPipeline pipeline)
    {
        if (!Guid.TryParse(id, out var messageId))
        {
            return Problems.Field("id", "id must be a message id (UUID)");
        }

        CancelTarget? target;
        try
        {
            target = await pipeline.FindForCancelAsync(messageId, context.RequestAborted);
        }
        catch (Exception ex) when (ex is ScheduleStoreUnavailableException or StatusStoreUnavailableException)
        {
            return Problems.Unavailable(context, "the message could not be looked up; nothing changed; retry later", ex);
        }

        if (target is null)
        {
            return Problems.NotFound($"no message {messageId} (a queued message is known within a status batch age, ~50 ms, of its accept)");
        }

        if (AccountAccess.ForbidUnlessOwner(context, target.Message.UserId) is { } forbidden)
        {
            return forbidden;
        }

        CancelOutcome outcome;
        try
        {
            outcome = await pipeline.CancelAsync(target.Message, CancellationToken.None);
        }
        catch (Exception ex) when (ex is LedgerUnavailableException or ScheduleStoreUnavailableException)
        {
            return Problems.Unavailable(context, "the cancel could not be completed; retry later", ex);
        }

        return outcome switch
        {
            CancelOutcome.Canceled => TypedResults.Ok(new CancelResponse(messageId, "canceled", target.Message.Cost)),
            CancelOutcome.AlreadySettled when target.Status == MessageStatus.Canceled => TypedResults.Ok(new CancelResponse(messageId, "canceled", 0)),
            CancelOutcome.SendingStarted => Conflict("sending of the message has started; it can no longer be canceled", "/problems/sending-started"),
            _ => Conflict($"the message is already final ({target.Status.ToWireName()}); nothing to cancel", "/problems/already-final"),
        };
    }

    private static IResult Conflict(string detail, string type) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Cannot cancel", type: type);
}
