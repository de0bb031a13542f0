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

    // Per user, the limiter's rules and the RateLimit-Policy values of the limits in force, made again only when the user's
    // override changes, instead of four strings, two arrays and a closure per request (bench/README.md "Claims read from a
    // fixed array"). One entry per account that sent a limited request; accounts are bounded by the key store.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, UserRules> _rules = new(StringComparer.Ordinal);

    /// <summary>The limits in force for <paramref name="userId"/>: its override over the defaults.</summary>
    /// <exception cref="AccessStoreUnavailableException">The store could not be reached.</exception>
    public async Task<AccountLimits> EffectiveAsync(string userId, CancellationToken cancellationToken) =>
        (await store.GetLimitsAsync(userId, cancellationToken))?.Over(_defaults) ?? _defaults;

    /// <summary>Counts one request of a client caller; null to go on, or the 429 answer.</summary>
    public ValueTask<IResult?> CheckRequestAsync(HttpContext context) =>
        AccountAccess.OwnAccount(context.User) is { } userId
            ? CheckAsync(context, userId, requests: true)
            : ValueTask.FromResult<IResult?>(null);

    /// <summary>Counts one message of <paramref name="userId"/> (unless the caller is an admin); null to go on, or the 429 answer.</summary>
    public ValueTask<IResult?> CheckMessageAsync(HttpContext context, string userId) =>
        AccountAccess.IsAdmin(context.User)
            ? ValueTask.FromResult<IResult?>(null)
            : CheckAsync(context, userId, requests: false);

    // requests: the per-request limit; otherwise the per-message limits.
    private async ValueTask<IResult?> CheckAsync(HttpContext context, string userId, bool requests, int cost = 1)
    {
        RateDecision decision;
        UserRules rules;
        try
        {
            var own = store.GetLimitsAsync(userId, context.RequestAborted);
            rules = RulesFor(userId, own.IsCompletedSuccessfully ? own.Result : await own);
            decision = await limiter.AcquireAsync(requests ? rules.Requests : rules.Messages, cost, context.RequestAborted);
        }
        catch (AccessStoreUnavailableException ex)
        {
            AccessLog.LimiterUnavailable(logger, ex, context.TraceIdentifier);
            return null;
        }

        var name = PolicyName(requests, decision.PeriodMs);
        var headers = context.Response.Headers;
        headers["RateLimit-Policy"] = rules.Policy(requests, decision) ?? PolicyValue(name, decision.Limit, decision.PeriodMs);
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

    private UserRules RulesFor(string userId, AccountLimits? own)
    {
        if (_rules.TryGetValue(userId, out var held) && Equals(held.Own, own))
        {
            return held;
        }

        var fresh = new UserRules(userId, own, own?.Over(_defaults) ?? _defaults);
        _rules[userId] = fresh;
        return fresh;
    }

    private static string PolicyName(bool requests, long periodMs) => (requests, periodMs == Day) switch
    {
        (true, false) => "requests-per-second",
        (true, true) => "requests-per-day",
        (false, false) => "messages-per-second",
        (false, true) => "messages-per-day",
    };

    // The RateLimit-Policy field value of draft-ietf-httpapi-ratelimit-headers: "name";q=limit;w=window in seconds.
    private static string PolicyValue(string name, long limit, long periodMs) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{name}\";q={limit};w={periodMs / 1000}");

    // One user's rules under the limits in force (Own: the store's override they were made from, compared by value).
    private sealed class UserRules
    {
        private readonly string _requestsPolicy, _messagesPolicy, _messagesPerDayPolicy;

        public UserRules(string userId, AccountLimits? own, AccountLimits limits)
        {
            Own = own;
            Requests = [new RateRule("req:" + userId, limits.RequestsPerSecond!.Value, 1000)];
            Messages =
            [
                new RateRule("msg:" + userId, limits.MessagesPerSecond!.Value, 1000),
                new RateRule("msgday:" + userId, limits.MessagesPerDay!.Value, Day),
            ];
            _requestsPolicy = PolicyValue("requests-per-second", Requests[0].Limit, 1000);
            _messagesPolicy = PolicyValue("messages-per-second", Messages[0].Limit, 1000);
            _messagesPerDayPolicy = PolicyValue("messages-per-day", Messages[1].Limit, Day);
        }

        public AccountLimits? Own { get; }

        public RateRule[] Requests { get; }

        public RateRule[] Messages { get; }

        // The held value when the decision is one of these rules' (the limiter answers with the deciding rule's limit).
        public string? Policy(bool requests, RateDecision decision) => (requests, decision.PeriodMs == Day) switch
        {
            (true, false) when decision.Limit == Requests[0].Limit => _requestsPolicy,
            (false, false) when decision.Limit == Messages[0].Limit => _messagesPolicy,
            (false, true) when decision.Limit == Messages[1].Limit => _messagesPerDayPolicy,
            _ => null,
        };
    }

    /// <summary>
    /// Counts <paramref name="count"/> messages of <paramref name="userId"/> at once, all or none (<c>POST /send/batch</c>;
    /// admins are not limited); null to go on, or the 429 answer. A batch larger than the account's per-second limit can
    /// never pass: its answer says so.
    /// </summary>
    public ValueTask<IResult?> CheckMessagesAsync(HttpContext context, string userId, int count) =>
        AccountAccess.IsAdmin(context.User)
            ? ValueTask.FromResult<IResult?>(null)
            : CheckAsync(context, userId, requests: false, count);
}
