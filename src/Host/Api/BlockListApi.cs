using SmsGateway.BlockLists;
using SmsGateway.Host.Access;
using SmsGateway.Host.Accounts;
using SmsGateway.Validation;

namespace SmsGateway.Host.Api;

/// <summary>
/// Administration of block lists (README "Opt-out and block lists"): <c>PUT</c>/<c>DELETE /accounts/{userId}/blocklist/{msisdn}</c>,
/// <c>GET /accounts/{userId}/blocklist</c>, and the same under <c>/blocklist/global</c>. The MSISDN is any accepted Iranian form
/// and is stored as E.164. Served on the billing port, admin only.
/// </summary>
public static class BlockListApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapBlockListApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/accounts/{userId}/blocklist").RequireAuthorization(AccessPolicies.Admin).WithMetadata(ServedOn.Billing)
            .WithTags("Block lists");
        account.MapPut("/{msisdn}", (string userId, string msisdn, HttpContext context, RecipientBlockCheck blocks, ILogger<RecipientBlockCheck> logger) =>
                UserList(userId) ?? AddAsync(userId, msisdn, context, blocks, logger))
            .WithName("BlockForAccount").WithSummary("Refuse sends of this account to the MSISDN")
            .Produces<BlockedView>().Produces<BlockedView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        account.MapDelete("/{msisdn}", (string userId, string msisdn, HttpContext context, RecipientBlockCheck blocks, ILogger<RecipientBlockCheck> logger) =>
                UserList(userId) ?? RemoveAsync(userId, msisdn, context, blocks, logger))
            .WithName("UnblockForAccount").WithSummary("Allow this account's sends to the MSISDN again (also undoes an opt-out)")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        account.MapGet("/", (string userId, HttpContext context, RecipientBlockCheck blocks) => UserList(userId) ?? ListAsync(userId, context, blocks))
            .WithName("AccountBlockList").WithSummary("The account's block list (admin entries and opt-outs)")
            .Produces<BlockListView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var global = app.MapGroup("/blocklist/global").RequireAuthorization(AccessPolicies.Admin).WithMetadata(ServedOn.Billing).WithTags("Block lists");
        global.MapPut("/{msisdn}", (string msisdn, HttpContext context, RecipientBlockCheck blocks, ILogger<RecipientBlockCheck> logger) =>
                AddAsync(IBlockListStore.Global, msisdn, context, blocks, logger))
            .WithName("BlockEverywhere").WithSummary("Refuse every account's sends to the MSISDN")
            .Produces<BlockedView>().Produces<BlockedView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        global.MapDelete("/{msisdn}", (string msisdn, HttpContext context, RecipientBlockCheck blocks, ILogger<RecipientBlockCheck> logger) =>
                RemoveAsync(IBlockListStore.Global, msisdn, context, blocks, logger))
            .WithName("UnblockEverywhere").WithSummary("Remove the MSISDN from the global list")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        global.MapGet("/", (HttpContext context, RecipientBlockCheck blocks) => ListAsync(IBlockListStore.Global, context, blocks))
            .WithName("GlobalBlockList").WithSummary("The global block list")
            .Produces<BlockListView>().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static Task<IResult>? UserList(string userId) =>
        SendValidator.IsValidUserId(userId) ? null : Task.FromResult(Problems.Field("userId", $"userId must be {SendValidator.UserIdRule}"));

    private static Task<IResult> AddAsync(string list, string msisdn, HttpContext context, RecipientBlockCheck blocks, ILogger logger)
    {
        if (!MsisdnNormalizer.TryNormalize(msisdn, out var e164, out var error))
        {
            return Task.FromResult(Problems.Field("msisdn", error!));
        }

        return TemplatesApi.Guard(context, async () =>
        {
            var entry = new BlockedRecipient(e164, BlockedRecipient.AdminSource, DateTimeOffset.UtcNow);
            var added = await blocks.AddAsync(list, entry, context.RequestAborted);
            if (added)
            {
                BlockListLog.ListChanged(logger, Name(list), e164, "added");
            }

            var stored = added ? entry : (await blocks.Store.ListAsync(list, context.RequestAborted)).FirstOrDefault(e => e.Msisdn == e164) ?? entry;
            return TypedResults.Json(new BlockedView(stored.Msisdn, stored.Source, stored.AddedAt), ApiJson.Options,
                statusCode: added ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        });
    }

    private static Task<IResult> RemoveAsync(string list, string msisdn, HttpContext context, RecipientBlockCheck blocks, ILogger logger)
    {
        if (!MsisdnNormalizer.TryNormalize(msisdn, out var e164, out var error))
        {
            return Task.FromResult(Problems.Field("msisdn", error!));
        }

        return TemplatesApi.Guard(context, async () =>
        {
            if (!await blocks.RemoveAsync(list, e164, context.RequestAborted))
            {
                return Problems.NotFound($"{e164} is not on the {Name(list)} block list");
            }

            BlockListLog.ListChanged(logger, Name(list), e164, "removed");
            return TypedResults.NoContent();
        });
    }

    private static Task<IResult> ListAsync(string list, HttpContext context, RecipientBlockCheck blocks) =>
        TemplatesApi.Guard(context, async () => TypedResults.Json(new BlockListView(Name(list),
            [.. (await blocks.Store.ListAsync(list, context.RequestAborted)).Select(e => new BlockedView(e.Msisdn, e.Source, e.AddedAt))]), ApiJson.Options));

    private static string Name(string list) => list == IBlockListStore.Global ? "global" : list;
}
