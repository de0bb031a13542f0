using System.Globalization;
using System.Text;
using System.Text.Json;
using SmsGateway.Billing;
using SmsGateway.Host.Access;
using SmsGateway.Validation;

namespace SmsGateway.Host.Api;

/// <summary><c>POST /charge/{userId}?amount=N</c> and <c>GET /balance/{userId}</c>, amounts in minor currency units.</summary>
public static class BillingApi
{
    /// <summary>Largest single charge, minor units (10^13), so totals stay far from <see cref="long.MaxValue"/>.</summary>
    public const long MaxCharge = 10_000_000_000_000;

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapBillingApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/charge/{userId}", ChargeAsync)
            .WithName("Charge")
            .WithSummary("Add funds to a user's balance")
            .WithDescription($"amount: positive integer in minor currency units, at most {MaxCharge}. Optional Idempotency-Key header makes a retry safe.")
            .Produces<BalanceResponse>()
            .WithMetadata(new Docs.DocumentedParameter("amount", Microsoft.OpenApi.ParameterLocation.Query, Microsoft.OpenApi.JsonSchemaType.Integer,
                $"Funds to add, minor currency units (Rial): a positive integer, at most {MaxCharge}. The seed: /charge/123?amount=123456", Required: true, Format: "int64"),
                Docs.DocumentedParameter.IdempotencyKey,
                new Docs.DocumentedExample(null, """{"user_id":"123","available":123456,"reserved":0,"spent":0}""", "The seed's call: POST /charge/123?amount=123456"))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(AccessPolicies.Admin)
            .WithMetadata(ServedOn.Billing);
        app.MapGet("/balance/{userId}", GetBalanceAsync)
            .WithName("Balance")
            .WithSummary("A user's available, reserved and spent balance")
            .Produces<BalanceResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .RequireAuthorization(AccessPolicies.Client)
            .AddEndpointFilter<OwnerFilter>()
            .WithMetadata(ServedOn.Billing);
        return app;
    }

    internal static async Task<IResult> ChargeAsync(HttpContext context, string userId, IBalanceLedger ledger, IdempotencyGuard idempotency)
    {
        if (!SendValidator.IsValidUserId(userId))
        {
            return Problems.Field("userId", $"userId must be {SendValidator.UserIdRule}");
        }

        string? raw = context.Request.Query["amount"];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return Problems.Field("amount", "amount is required (a positive integer in minor currency units)");
        }

        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return Problems.Field("amount", "amount must be a positive integer in minor currency units (no sign, decimals or spaces) and fit 64 bits");
        }

        if (amount is <= 0 or > MaxCharge)
        {
            return Problems.Field("amount", $"amount must be between 1 and {MaxCharge}");
        }

        var (early, claim) = await idempotency.BeginAsync(context, "charge", userId, System.Text.Encoding.UTF8.GetBytes(raw));
        if (early is not null)
        {
            return early;
        }

        var chargeId = claim?.Key ?? Guid.NewGuid().ToString("N");
        try
        {
            var balance = await ledger.ChargeAsync(userId, amount, chargeId, context.RequestAborted);
            var json = ApiJson.Serialize(BalanceResponse.From(balance));
            await idempotency.CompleteAsync(claim, StatusCodes.Status200OK, json);
            return Results.Text(json, "application/json", System.Text.Encoding.UTF8, StatusCodes.Status200OK);
        }
        catch (LedgerUnavailableException ex)
        {
            // The charge may or may not have happened; the key stays claimed so a retry cannot double it.
            return Problems.Unavailable(context, "the balance ledger is unavailable; retry later", ex);
        }
    }

    internal static async Task<IResult> GetBalanceAsync(HttpContext context, string userId, IBalanceLedger ledger)
    {
        if (!SendValidator.IsValidUserId(userId))
        {
            return Problems.Field("userId", $"userId must be {SendValidator.UserIdRule}");
        }

        try
        {
            return TypedResults.Ok(BalanceResponse.From(await ledger.GetBalanceAsync(userId, context.RequestAborted)));
        }
        catch (LedgerUnavailableException ex)
        {
            return Problems.Unavailable(context, "the balance ledger is unavailable; retry later", ex);
        }
    }
}
