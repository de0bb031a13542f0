using SmsGateway.Host.Access;
using System.Text.Json;
using SmsGateway.Accounts;
using SmsGateway.Host.Accounts;
using SmsGateway.Host.Callbacks;
using SmsGateway.Validation;

namespace SmsGateway.Host.Api;

/// <summary>
/// Administration of account settings: <c>GET</c> and <c>PUT /accounts/{userId}/settings</c> (allowed sender ids, default
/// callback URL, callback secret). The secret is write-only: answers say only whether one is set.
/// </summary>
public static class AccountSettingsApi
{
    /// <summary>Shortest accepted callback secret, characters.</summary>
    public const int MinSecretLength = 16;

    /// <summary>Most allowed senders per account.</summary>
    public const int MaxSenders = 100;

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapAccountSettingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).RequireAuthorization(AccessPolicies.Admin).WithMetadata(ServedOn.Billing);
        group.MapGet("/accounts/{userId}/settings", GetAsync).WithName("GetAccountSettings").WithSummary("An account's senders and callback settings")
            .Produces<AccountSettingsView>().ProducesValidationProblem();
        group.MapPut("/accounts/{userId}/settings", PutAsync).WithName("PutAccountSettings").WithSummary("Replace an account's senders and callback settings")
            .WithDescription("Body {\"allowed_senders\":[...],\"callback_url\":\"https://...\"|null,\"callback_secret\":\"...\"|null,\"store_text\":true|false}; " +
                "absent fields keep their value. store_text (default false) keeps message texts in the status store, readable by the owner and admins.")
            .Accepts<JsonElement>("application/json").Produces<AccountSettingsView>().ProducesValidationProblem();
        return app;
    }

    internal static async Task<IResult> GetAsync(string userId, AccountSettingsCache settings, CancellationToken cancellationToken)
    {
        if (!SendValidator.IsValidUserId(userId))
        {
            return Problems.Field("user_id", $"user_id must be {SendValidator.UserIdRule}");
        }

        return TypedResults.Json(AccountSettingsView.From(await settings.GetAsync(userId, cancellationToken)), ApiJson.Options);
    }

    internal static async Task<IResult> PutAsync(string userId, HttpContext context, AccountSettingsCache settings, CallbackTargetGuard guard)
    {
        if (!SendValidator.IsValidUserId(userId))
        {
            return Problems.Field("user_id", $"user_id must be {SendValidator.UserIdRule}");
        }

        var (body, bodyError) = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return Problems.Field("body", bodyError!);
        }

        var current = await settings.GetAsync(userId, context.RequestAborted);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        AccountSettings next;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Problems.Field("body", "the body must be a JSON object");
            }

            if (!RequestBody.NamesAreText(root))
            {
                return Problems.Field("body", RequestBody.UnreadableName);
            }

            next = current with
            {
                AllowedSenders = ReadSenders(root, errors) ?? current.AllowedSenders,
                CallbackUrl = root.TryGetProperty("callback_url", out _) ? RequestBody.GetText(root, "callback_url", errors) : current.CallbackUrl,
                CallbackSecret = root.TryGetProperty("callback_secret", out _) ? RequestBody.GetText(root, "callback_secret", errors) : current.CallbackSecret,
                StoreText = ReadStoreText(root, errors) ?? current.StoreText,
            };
        }
        catch (JsonException ex)
        {
            return Problems.Field("body", $"the body is not valid JSON: {ex.Message}");
        }

        if (next.CallbackSecret is { Length: < MinSecretLength or > 256 })
        {
            errors["callback_secret"] = [$"callback_secret must be {MinSecretLength}-256 characters"];
        }

        if (next.CallbackUrl is not null && !errors.ContainsKey("callback_url"))
        {
            var target = await CheckCallbackUrlAsync(next.CallbackUrl, guard, context.RequestAborted);
            if (target is not null)
            {
                errors["callback_url"] = [target];
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await settings.SaveAsync(next, context.RequestAborted);
        return TypedResults.Json(AccountSettingsView.From(next), ApiJson.Options);
    }

    /// <summary>Null when <paramref name="url"/> may receive callbacks, otherwise the problem (naming <c>callback_url</c>).</summary>
    internal static async ValueTask<string?> CheckCallbackUrlAsync(string url, CallbackTargetGuard guard, CancellationToken cancellationToken)
    {
        var uri = CallbackTargetGuard.Parse(url, out var error);
        if (uri is null)
        {
            return "callback_url " + error;
        }

        var refused = await guard.CheckAsync(uri, cancellationToken);
        return refused is null ? null : "callback_url is refused: " + refused;
    }

    private static bool? ReadStoreText(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty("store_text", out var value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors["store_text"] = ["store_text must be true or false"];
        return null;
    }

    private static List<string>? ReadSenders(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty("allowed_senders", out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MaxSenders)
        {
            errors["allowed_senders"] = [$"allowed_senders must be an array of at most {MaxSenders} sender ids"];
            return null;
        }

        var senders = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            string? s = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            if (SenderId.Classify(s) is null)
            {
                errors["allowed_senders"] = [$"allowed_senders[{senders.Count}] must be {SenderId.Rule}"];
                return null;
            }

            senders.Add(s!);
        }

        return senders;
    }
}

/// <summary>Answer of the account settings endpoints.</summary>
public sealed record AccountSettingsView(string UserId, IReadOnlyList<string> AllowedSenders, string? CallbackUrl, bool HasCallbackSecret, bool StoreText = false)
{
    internal static AccountSettingsView From(AccountSettings s) => new(s.UserId, s.AllowedSenders, s.CallbackUrl, s.CallbackSecret is not null, s.StoreText);
}
