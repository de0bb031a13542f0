using SmsGateway.Host.Access;
using SmsGateway.Host.Api;
using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Host.Admin;

/// <summary>
/// Admin endpoints over the transport's dead-letter store (<see cref="IDeadLetterStore"/>; README "Durability"):
/// <c>GET /admin/dead-letters?topic=&amp;limit=</c> lists, <c>POST /admin/dead-letters/replay</c> republishes to the original
/// topic and removes from the store. Only undecodable messages are dead-lettered, so a replay is for after a fix (a new
/// version that reads them) or to move them on after inspection. Served on the billing port, admin only.
/// </summary>
public static class DeadLetterApi
{
    private const int MaxIds = 10_000;

    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapDeadLetterApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/dead-letters").RequireAuthorization(AccessPolicies.Admin).WithMetadata(ServedOn.Billing);
        group.MapGet("/", ListAsync).WithName("ListDeadLetters")
            .WithSummary("Dead-lettered (undecodable) messages, oldest first: id, topic, reason, time, size")
            .Produces<DeadLetterList>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/replay", ReplayAsync).WithName("ReplayDeadLetters")
            .WithSummary("Republish dead letters (by topic and/or ids) to their original topic and remove them from the dead-letter store")
            .Produces<DeadLetterReplayResult>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    internal static async Task<IResult> ListAsync(HttpContext context, IMessageTransport transport, ILogger<DeadLetterList> logger, string? topic = null, string? limit = null)
    {
        if (topic is not null && !Topics.All.Contains(topic))
        {
            return Problems.Field("topic", $"topic must be one of {string.Join(", ", Topics.All)}");
        }

        int count = 100;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > 1000))
        {
            return Problems.Field("limit", "limit must be an integer from 1 to 1000");
        }

        if (transport is not IDeadLetterStore store)
        {
            return Problems.NotFound("this transport keeps no dead letters");
        }

        try
        {
            var letters = await store.ListAsync(topic, count, context.RequestAborted);
            return TypedResults.Json(new DeadLetterList(letters.Count, [.. letters.Select(l => new DeadLetterView(l.Id, l.Topic, l.Reason, l.At, l.Size, l.Key))]),
                AdminJsonContext.Default.DeadLetterList);
        }
        catch (TransportException ex)
        {
            AdminLog.StoreFailed(logger, ex, context.TraceIdentifier);
            return Problems.Unavailable(context, "the broker's dead-letter store is unavailable; retry later");
        }
    }

    internal static async Task<IResult> ReplayAsync(HttpContext context, DeadLetterReplayBody? body, IMessageTransport transport, ILogger<DeadLetterList> logger)
    {
        if (body is null || (body.Topic is null && body.Ids is not { Count: > 0 }))
        {
            return Problems.Field("topic", "give a topic, ids, or both (replaying every dead letter needs at least the topic)");
        }

        if (body.Topic is not null && !Topics.All.Contains(body.Topic))
        {
            return Problems.Field("topic", $"topic must be one of {string.Join(", ", Topics.All)}");
        }

        if (body.Ids is { } ids && (ids.Count > MaxIds || ids.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > 64)))
        {
            return Problems.Field("ids", $"ids must hold at most {MaxIds} non-empty ids of at most 64 characters");
        }

        if (transport is not IDeadLetterStore store)
        {
            return Problems.NotFound("this transport keeps no dead letters");
        }

        try
        {
            var result = await store.ReplayAsync(body.Topic, body.Ids, context.RequestAborted);
            AdminLog.Replayed(logger, context.TraceIdentifier, result.Replayed.Count, result.NotFound.Count, body.Topic ?? "any");
            return TypedResults.Json(new DeadLetterReplayResult(result.Replayed, result.NotFound), AdminJsonContext.Default.DeadLetterReplayResult);
        }
        catch (TransportException ex)
        {
            AdminLog.StoreFailed(logger, ex, context.TraceIdentifier);
            return Problems.Unavailable(context, "the broker's dead-letter store is unavailable; what was replayed so far stays replayed; retry later");
        }
    }
}
