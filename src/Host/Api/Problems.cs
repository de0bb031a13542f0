namespace SmsGateway.Host.Api;

/// <summary>RFC 9457 problem answers with stable <c>type</c> URIs (relative to the API).</summary>
internal static class Problems
{
    public static IResult Validation(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "One or more fields are invalid; nothing was charged or queued.",
            title: "Invalid request", type: "/problems/validation");

    public static IResult Field(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult InsufficientBalance(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status402PaymentRequired, title: "Insufficient balance", type: "/problems/insufficient-balance");

    public static IResult Saturated(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Gateway saturated", type: "/problems/saturated");
    }

    /// <summary>503 with a generic <paramref name="detail"/>; <paramref name="cause"/> (which may name servers) goes to the log with the trace id only.</summary>
    public static IResult Unavailable(HttpContext context, string detail, Exception? cause = null)
    {
        if (cause is not null)
        {
            ProblemLog.DependencyUnavailable(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("SmsGateway.Host.Api"),
                cause, context.TraceIdentifier);
        }

        context.Response.Headers.RetryAfter = "2";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Dependency unavailable", type: "/problems/unavailable");
    }

    public static IResult IdempotencyConflict(string detail, int status) =>
        TypedResults.Problem(detail, statusCode: status, title: status == StatusCodes.Status409Conflict ? "Request in progress" : "Idempotency key reused",
            type: "/problems/idempotency-key");

    public static IResult SenderNotAllowed(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Sender not allowed", type: "/problems/sender-not-allowed",
            extensions: new Dictionary<string, object?> { ["field"] = "from" });

    public static IResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found", type: "/problems/not-found");

    /// <summary>422: <paramref name="msisdn"/> is on the account's (<paramref name="list"/> <c>account</c>) or the global block list.</summary>
    public static IResult BlockedRecipient(string msisdn, string list) =>
        TypedResults.Problem($"{msisdn} is on the {list} block list (opted out or blocked); nothing was charged or queued",
            statusCode: StatusCodes.Status422UnprocessableEntity, title: "Recipient blocked", type: "/problems/blocked-recipient",
            extensions: new Dictionary<string, object?> { ["field"] = "phone", ["list"] = list });
}
