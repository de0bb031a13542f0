using SmsGateway.Access;
using SmsGateway.Host.Api;
using SmsGateway.Validation;

namespace SmsGateway.Host.Access;

/// <summary>
/// Admin endpoints on accounts: <c>POST/GET /accounts/{userId}/keys</c>, <c>DELETE /accounts/{userId}/keys/{keyId}</c>,
/// <c>GET/PUT /accounts/{userId}/limits</c> (README "Security"). Served on the billing port.
/// </summary>
public static class AccountsApi
{
    /// <summary>Maps the endpoints, admin only.</summary>
    public static RouteGroupBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/accounts/{userId}").RequireAuthorization(AccessPolicies.Admin).WithMetadata(ServedOn.Billing);
        group.MapPost("/keys", IssueAsync).WithName("IssueKey").WithSummary("Issue an API key for the user; the secret is shown once")
            .Produces<IssuedKey>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapGet("/keys", ListAsync).WithName("ListKeys").WithSummary("The user's key ids, without secrets").Produces<KeyList>();
        group.MapDelete("/keys/{keyId}", RevokeAsync).WithName("RevokeKey")
            .WithSummary("Revoke a key; every gateway refuses it within Auth:KeyCacheMs (2 s by default)")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/limits", GetLimitsAsync).WithName("GetLimits").WithSummary("The limits in force for the user").Produces<LimitsView>();
        group.MapPut("/limits", SetLimitsAsync).WithName("SetLimits").WithSummary("Override the user's limits (null: the default)")
            .Produces<LimitsView>().ProducesValidationProblem();
        return group;
    }

    internal static async Task<IResult> IssueAsync(HttpContext context, string userId, IAccessStore store, ILogger<IssuedKey> logger)
    {
        if (!SendValidator.IsValidUserId(userId))
        {
            return Problems.Field("userId", $"userId must be {SendValidator.UserIdRule}");
        }

        var (keyId, apiKey, hash) = ApiKeySecret.Create();
        return await Guard(context, logger, async () =>
        {
            await store.AddKeyAsync(new ApiKeyRecord(keyId, userId, hash, DateTimeOffset.UtcNow, null), context.RequestAborted);
            AccessLog.KeyIssued(logger, keyId, userId);
            return TypedResults.Json(new IssuedKey(userId, keyId, apiKey), AccessJsonContext.Default.IssuedKey,
                statusCode: StatusCodes.Status201Created);
        });
    }

    internal static Task<IResult> ListAsync(HttpContext context, string userId, IAccessStore store, ILogger<IssuedKey> logger) =>
        Guard(context, logger, async () =>
        {
            var keys = await store.ListKeysAsync(userId, context.RequestAborted);
            return TypedResults.Json(new KeyList(userId, [.. keys.Select(k => new KeyView(k.KeyId, k.CreatedAt, k.RevokedAt))]),
                AccessJsonContext.Default.KeyList);
        });

    internal static Task<IResult> RevokeAsync(HttpContext context, string userId, string keyId, IAccessStore store, ILogger<IssuedKey> logger) =>
        Guard(context, logger, async () =>
        {
            if (!await store.RevokeKeyAsync(userId, keyId, DateTimeOffset.UtcNow, context.RequestAborted))
            {
                return Problems.NotFound("the user has no key with this id");
            }

            AccessLog.KeyRevoked(logger, keyId, userId);
            return TypedResults.NoContent();
        });

    internal static Task<IResult> GetLimitsAsync(HttpContext context, string userId, IAccessStore store, AccountLimitGate gate, ILogger<IssuedKey> logger) =>
        Guard(context, logger, () => ViewAsync(context, userId, store, gate));

    internal static Task<IResult> SetLimitsAsync(HttpContext context, string userId, LimitsBody body, IAccessStore store, AccountLimitGate gate, ILogger<IssuedKey> logger)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Check(body.RequestsPerSecond, "requests_per_second", 1_000_000, errors);
        Check(body.MessagesPerSecond, "messages_per_second", 1_000_000, errors);
        Check(body.MessagesPerDay, "messages_per_day", 1_000_000_000, errors);
        if (errors.Count > 0)
        {
            return Task.FromResult(Problems.Validation(errors));
        }

        return Guard(context, logger, async () =>
        {
            await store.SetLimitsAsync(userId, new AccountLimits(body.RequestsPerSecond, body.MessagesPerSecond, body.MessagesPerDay), context.RequestAborted);
            return await ViewAsync(context, userId, store, gate);
        });
    }

    private static async Task<IResult> ViewAsync(HttpContext context, string userId, IAccessStore store, AccountLimitGate gate)
    {
        var own = await store.GetLimitsAsync(userId, context.RequestAborted);
        var effective = await gate.EffectiveAsync(userId, context.RequestAborted);
        return TypedResults.Json(new LimitsView(userId, effective.RequestsPerSecond!.Value, effective.MessagesPerSecond!.Value, effective.MessagesPerDay!.Value,
            new LimitsBody(own?.RequestsPerSecond, own?.MessagesPerSecond, own?.MessagesPerDay)), AccessJsonContext.Default.LimitsView);
    }

    private static void Check(int? value, string field, int max, Dictionary<string, string[]> errors)
    {
        if (value is { } v && (v < 1 || v > max))
        {
            errors[field] = [$"{field} must be from 1 to {max}, or null for the default"];
        }
    }

    private static async Task<IResult> Guard(HttpContext context, ILogger logger, Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (AccessStoreUnavailableException ex)
        {
            AccessLog.StoreUnavailable(logger, ex, context.TraceIdentifier);
            return Problems.Unavailable(context, "the key store is unavailable; retry later");
        }
    }
}
