namespace SmsGateway.Load.Api;

/// <summary>What one <c>POST /send</c> (or <c>POST /charge</c>) attempt returned.</summary>
/// <param name="StatusCode">HTTP status; 0 when the request failed at the transport level.</param>
/// <param name="Accepted">The 202 body, when there was one.</param>
/// <param name="Problem">The problem details body of a 4xx/5xx, when it parsed.</param>
/// <param name="IsProblemJson">True when the content type was <c>application/problem+json</c>.</param>
/// <param name="RetryAfter">The <c>Retry-After</c> delay of a 429/503, when given.</param>
/// <param name="Error">Transport error text when <paramref name="StatusCode"/> is 0.</param>
public sealed record SendOutcome(int StatusCode, SendAccepted? Accepted, Problem? Problem, bool IsProblemJson, TimeSpan? RetryAfter, string? Error)
{
    /// <summary>True for 429 and 503, the answers a saturated gateway gives.</summary>
    public bool IsThrottled => StatusCode is 429 or 503;
}
