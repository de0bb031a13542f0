using System.Globalization;
using SmsGateway.Host.Access;
using SmsGateway.Model;
using SmsGateway.Status;
using SmsGateway.Validation;

namespace SmsGateway.Host.Api;

/// <summary><c>GET /report/{userId}</c> and <c>GET /messages/{id}</c>.</summary>
public static class ReportApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapReportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/report/{userId}", GetReportAsync)
            .WithName("Report")
            .WithSummary("Per-status counts and the user's messages, newest first")
            .WithDescription("Query: status (accepted|queued|sending|retrying|sent|delivered|undelivered|failed|rejected), from/to (ISO 8601, " +
                "on accept time, to exclusive), before (cursor: next_cursor of the previous page), limit (1-1000, default 100); filters that also " +
                "narrow the counts: phone (any accepted form, compared as E.164), type (express|normal), operator (a name from operator.json), " +
                "batch_id (a POST /send/batch batch_id).")
            .Produces<ReportResponse>()
            .WithMetadata(
                new Docs.DocumentedParameter("status", Microsoft.OpenApi.ParameterLocation.Query, Microsoft.OpenApi.JsonSchemaType.String,
                    "Only messages in this status (accepted, queued, sending, retrying, sent, delivered, undelivered, failed, rejected)"),
                new Docs.DocumentedParameter("from", Microsoft.OpenApi.ParameterLocation.Query, Microsoft.OpenApi.JsonSchemaType.String,
                    "Accepted at or after this time (ISO 8601)", Format: "date-time"),
                new Docs.DocumentedParameter("to", Microsoft.OpenApi.ParameterLocation.Query, Microsoft.OpenApi.JsonSchemaType.String,
                    "Accepted before this time (ISO 8601, exclusive)", Format: "date-time"),
                new Docs.DocumentedParameter("before", Microsoft.OpenApi.ParameterLocation.Query, Microsoft.OpenApi.JsonSchemaType.String,
                    "Cursor: the next_cursor of the previous page", Format: "uuid"),
                new Docs.DocumentedParameter("limit", Microsoft.OpenApi.ParameterLocation.Query, Microsoft.OpenApi.JsonSchemaType.Integer,
                    "Messages per page, 1-1000 (default 100)"),
                new Docs.DocumentedExample(null, null, "The seed's call: GET /report/123"))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .RequireAuthorization(AccessPolicies.Client)
            .AddEndpointFilter<OwnerFilter>()
            .WithMetadata(ServedOn.Report);
        app.MapGet("/messages/{id}", GetMessageAsync)
            .WithName("Message")
            .WithSummary("One message and its status history")
            .WithDescription("Optional user_id query: answer only when the message belongs to that user.")
            .Produces<MessageResponse>()
            .WithMetadata(new Docs.DocumentedParameter("user_id", Microsoft.OpenApi.ParameterLocation.Query, Microsoft.OpenApi.JsonSchemaType.String,
                "Answer only when the message belongs to this user (404 otherwise)"))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AccessPolicies.Client)
            .WithMetadata(ServedOn.GatewayAndReport);
        return app;
    }

    internal static async Task<IResult> GetReportAsync(HttpContext context, string userId, IStatusStore store, SmsPipeline pipeline)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!SendValidator.IsValidUserId(userId))
        {
            errors["userId"] = ["userId is not a valid user id"];
        }

        var q = context.Request.Query;
        MessageStatus? status = null;
        if (!string.IsNullOrEmpty(q["status"]))
        {
            if (MessageStatusExtensions.TryParseWireName(q["status"], out var s))
            {
                status = s;
            }
            else
            {
                errors["status"] = [$"unknown status '{q["status"]}'"];
            }
        }

        var from = ParseTime(q["from"], "from", errors);
        var to = ParseTime(q["to"], "to", errors);
        Guid? before = null;
        if (!string.IsNullOrEmpty(q["before"]))
        {
            if (Guid.TryParse(q["before"], out var b))
            {
                before = b;
            }
            else
            {
                errors["before"] = ["before must be a message id (the next_cursor of a previous page)"];
            }
        }

        int limit = 100;
        if (!string.IsNullOrEmpty(q["limit"]) && (!int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            errors["limit"] = ["limit must be an integer from 1 to 1000"];
        }

        var filters = ReportFilters.Parse(q, pipeline.Routes, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        try
        {
            var report = await store.GetReportAsync(filters with { UserId = userId, Status = status, From = from, To = to, Before = before, Limit = limit },
                context.RequestAborted);
            var counts = report.Counts.ToDictionary(kv => kv.Key.ToWireName(), kv => kv.Value);
            return TypedResults.Ok(new ReportResponse(report.UserId, counts, report.Messages.Select(MessageView.From).ToList(), report.NextCursor));
        }
        catch (StatusStoreUnavailableException ex)
        {
            return Problems.Unavailable(context, "the status store is unavailable; retry later", ex);
        }
    }

    internal static async Task<IResult> GetMessageAsync(HttpContext context, string id, IStatusStore store)
    {
        if (!Guid.TryParse(id, out var messageId))
        {
            return Problems.Field("id", "id must be a message id (UUID)");
        }

        string? userId = context.Request.Query["user_id"];
        try
        {
            var history = await store.GetMessageAsync(messageId, string.IsNullOrEmpty(userId) ? null : userId, context.RequestAborted);
            if (history is null)
            {
                return Problems.NotFound($"no message {messageId}" + (string.IsNullOrEmpty(userId) ? string.Empty : $" for user {userId}") +
                    " (status events reach the store within a batch age, ~50 ms)");
            }

            if (AccountAccess.ForbidUnlessOwner(context, history.Message.UserId) is { } forbidden)
            {
                return forbidden;
            }

            return TypedResults.Ok(new MessageResponse(MessageView.From(history.Message),
                history.Events.Select(e => new HistoryEntry(e.Status.ToWireName(), e.Attempt, e.At, e.ErrorCode)).ToList()));
        }
        catch (StatusStoreUnavailableException ex)
        {
            return Problems.Unavailable(context, "the status store is unavailable; retry later", ex);
        }
    }

    private static DateTimeOffset? ParseTime(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return t;
        }

        errors[field] = [$"{field} must be an ISO 8601 time such as 2026-11-22T10:00:00Z"];
        return null;
    }
}
