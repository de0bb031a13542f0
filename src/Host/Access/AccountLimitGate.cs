using System.Globalization;
using SmsGateway.Access;

namespace SmsGateway.Host.Access;

/// <summary>
/// Applies the per-account limits (README "Security"): requests per second on every authenticated client request, and
/// messages per second and per day on <c>/send</c>. Answers 429 with <c>Retry-After</c> (RFC 9110 section 10.2.3) and sets
/// the <c>RateLimit-Policy</c> and <c>RateLimit</c> fields of draft-ietf-httpapi-ratelimit-headers on every limited answer.
/// Admin callers are not limited. A shared limiter that cannot be reached lets the request through (logged): the ledger
/// behind <c>/send</c> then decides.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class AccountLimitGate(IAccountRateLimiter limiter, IAccessStore store, AuthOptions options, ILogger<AccountLimitGate> logger)
{
    private const long Day = 86_400_000;

    private readonly AccountLimits _defaults = new(options.Limits.RequestsPerSecond, options.Limits.MessagesPerSecond, options.Limits.MessagesPerDay);

    /// <summary>The limits in force for <paramref name="userId"/>: its override over the defaults.</summary>
    /// <exception cref="AccessStoreUnavailableException">The store could not be reached.</exception>
    public async Task<AccountLimits> EffectiveAsync(string userId, CancellationToken cancellationToken) =>
        (await store.GetLimitsAsync(userId, cancellationToken))?.Over(_defaults) ?? _defaults;

    /// <summary>Counts one request of a client caller; null to go on, or the 429 answer.</summary>
    public async ValueTask<IResult?> CheckRequestAsync(HttpContext context)
    {
        if (AccountAccess.OwnAccount(context.User) is not { } userId)
        {
            return null;
        }

        return await CheckAsync(context, userId, "requests", limits => [new RateRule("req:" + userId, limits.RequestsPerSecond!.Value, 1000)]);
    }

    /// <summary>Counts one message of <paramref name="userId"/> (unless the caller is an admin); null to go on, or the 429 answer.</summary>
    public ValueTask<IResult?> CheckMessageAsync(HttpContext context, string userId) =>
        AccountAccess.IsAdmin(context.User)
            ? ValueTask.FromResult<IResult?>(null)
            : CheckAsync(context, userId, "messages", limits =>
            [
                new RateRule("msg:" + userId, limits.MessagesPerSecond!.Value, 1000),
                new RateRule("msgday:" + userId, limits.MessagesPerDay!.Value, Day),
            ]);

    private async ValueTask<IResult?> CheckAsync(HttpContext context, string userId, string policy, Func<AccountLimits, RateRule[]> rules, int cost = 1)
    {
        RateDecision decision;
        try
        {
            var limits = await EffectiveAsync(userId, context.RequestAborted);
            decision = await limiter.AcquireAsync(rules(limits), cost, context.RequestAborted);
        }
        catch (AccessStoreUnavailableException ex)
        {
            AccessLog.LimiterUnavailable(logger, ex, context.TraceIdentifier);
            return null;
        }

        var name = decision.PeriodMs == Day ? policy + "-per-day" : policy + "-per-second";
        var headers = context.Response.Headers;
        headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture, $"\"{name}\";q={decision.Limit};w={decision.PeriodMs / 1000}");
        headers["RateLimit"] = string.Create(CultureInfo.InvariantCulture,
            $"\"{name}\";r={Math.Max(0, decision.Remaining)};t={(decision.ResetMs + 999) / 1000}");
        if (decision.Allowed)
        {
            return null;
        }

        var retryAfter = Math.Max(1, (decision.RetryAfterMs + 999) / 1000);
        headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem($"the {name} limit of this account ({decision.Limit}) is reached; retry after {retryAfter} s",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Account limit reached", type: "/problems/account-limit");
    }

    /// <summary>
    /// Counts <paramref name="count"/> messages of <paramref name="userId"/> at once, all or none (<c>POST /send/batch</c>;
    /// admins are not limited); null to go on, or the 429 answer. A batch larger than the account's per-second limit can
    /// never pass: its answer says so.
    /// </summary>
    public ValueTask<IResult?> CheckMessagesAsync(HttpContext context, string userId, int count) =>
        AccountAccess.IsAdmin(context.User)
            ? ValueTask.FromResult<IResult?>(null)
            : CheckAsync(context, userId, "messages", limits =>
            [
                new RateRule("msg:" + userId, limits.MessagesPerSecond!.Value, 1000),
                new RateRule("msgday:" + userId, limits.MessagesPerDay!.Value, Day),
            ], count);
}
