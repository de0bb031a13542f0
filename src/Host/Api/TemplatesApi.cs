using System.Text.Json;
using SmsGateway.Host.Access;
using SmsGateway.Host.Accounts;
using SmsGateway.Status;
using SmsGateway.Templates;
using SmsGateway.Validation;

namespace SmsGateway.Host.Api;

/// <summary>
/// Administration of verification templates: <c>PUT</c>, <c>GET</c> and <c>DELETE /accounts/{userId}/templates/{name}</c>,
/// <c>GET /accounts/{userId}/templates</c> (README "Verification templates"). Served on the billing port, admin only.
/// </summary>
public static class TemplatesApi
{
    /// <summary>Fields a template body may carry.</summary>
    public static readonly IReadOnlyList<string> KnownFields = ["text", "tokens"];

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/accounts/{userId}/templates").RequireAuthorization(AccessPolicies.Admin).WithMetadata(ServedOn.Billing)
            .WithTags("Templates");
        group.MapPut("/{name}", PutAsync).WithName("PutTemplate").WithSummary("Create or replace a verification template")
            .WithDescription("Body {\"text\":\"کد تایید شما: {token}\",\"tokens\":{\"token\":\"digits\"}}. A token is declared by its type " +
                "(digits: max 10, alphanumeric: max 20, text: max 30 characters) or as {\"type\",\"max_length\"} (1-100). Every {placeholder} " +
                $"must be declared and every token used; with every token at its longest the text must fit in {TemplateRules.MaxSegments} segments.")
            .Accepts<TemplateBody>("application/json").Produces<TemplateView>().Produces<TemplateView>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{name}", GetAsync).WithName("GetTemplate").WithSummary("One template")
            .Produces<TemplateView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/", ListAsync).WithName("ListTemplates").WithSummary("The account's templates, by name")
            .Produces<TemplateList>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteTemplate").WithSummary("Delete a template")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    internal static async Task<IResult> PutAsync(string userId, string name, HttpContext context, TemplateCache templates, ILogger<TemplateCache> logger)
    {
        if (CheckIds(userId, name) is { } bad)
        {
            return bad;
        }

        var (body, bodyError) = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return Problems.Field("body", bodyError!);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? text;
        Dictionary<string, TemplateToken> tokens;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Problems.Field("body", "the body must be a JSON object");
            }

            if (!RequestBody.CheckFields(root, KnownFields, errors))
            {
                return Problems.Validation(errors);
            }

            text = RequestBody.GetText(root, "text", errors, allowLineBreaks: true);
            tokens = ReadTokens(root, errors);
        }
        catch (JsonException ex)
        {
            return Problems.Field("body", $"the body is not valid JSON (UTF-8) near byte {ex.BytePositionInLine ?? 0} of line {(ex.LineNumber ?? 0) + 1}");
        }

        if (errors.Count == 0)
        {
            foreach (var (field, problems) in TemplateRules.Check(text, tokens, out _))
            {
                errors[field] = problems;
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return await Guard(context, async () =>
        {
            var existed = await templates.Store.GetAsync(userId, name, context.RequestAborted) is not null;
            var template = new MessageTemplate(userId, name, text!, tokens, DateTimeOffset.UtcNow);
            await templates.SaveAsync(template, context.RequestAborted);
            BlockListLog.TemplateChanged(logger, userId, name, existed ? "replaced" : "created");
            var json = ApiJson.Serialize(TemplateView.From(template));
            return Results.Text(json, "application/json", System.Text.Encoding.UTF8, existed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        });
    }

    internal static async Task<IResult> GetAsync(string userId, string name, HttpContext context, TemplateCache templates) =>
        CheckIds(userId, name) ?? await Guard(context, async () =>
            await templates.Store.GetAsync(userId, name, context.RequestAborted) is { } t
                ? TypedResults.Json(TemplateView.From(t), ApiJson.Options)
                : Problems.NotFound($"account {userId} has no template '{name}'"));

    internal static async Task<IResult> ListAsync(string userId, HttpContext context, TemplateCache templates) =>
        CheckIds(userId, null) ?? await Guard(context, async () =>
            TypedResults.Json(new TemplateList(userId, [.. (await templates.Store.ListAsync(userId, context.RequestAborted)).Select(TemplateView.From)]),
                ApiJson.Options));

    internal static async Task<IResult> DeleteAsync(string userId, string name, HttpContext context, TemplateCache templates, ILogger<TemplateCache> logger) =>
        CheckIds(userId, name) ?? await Guard(context, async () =>
        {
            if (!await templates.DeleteAsync(userId, name, context.RequestAborted))
            {
                return Problems.NotFound($"account {userId} has no template '{name}'");
            }

            BlockListLog.TemplateChanged(logger, userId, name, "deleted");
            return TypedResults.NoContent();
        });

    /// <summary>400 naming <c>userId</c> or <c>name</c> when either breaks the user-id rule (templates are named by the same rule).</summary>
    internal static IResult? CheckIds(string userId, string? name)
    {
        if (!SendValidator.IsValidUserId(userId))
        {
            return Problems.Field("userId", $"userId must be {SendValidator.UserIdRule}");
        }

        return name is not null && !SendValidator.IsValidUserId(name) ? Problems.Field("name", $"name must be {SendValidator.UserIdRule}") : null;
    }

    /// <summary>Runs <paramref name="action"/>; an unreachable store becomes 503 with Retry-After.</summary>
    internal static async Task<IResult> Guard(HttpContext context, Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (StatusStoreUnavailableException ex)
        {
            return Problems.Unavailable(context, "the store could not be reached; nothing was changed; retry later", ex);
        }
    }

    private static Dictionary<string, TemplateToken> ReadTokens(JsonElement root, Dictionary<string, string[]> errors)
    {
        var tokens = new Dictionary<string, TemplateToken>(StringComparer.Ordinal);
        if (!root.TryGetProperty("tokens", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return tokens; // a text without placeholders is allowed; a placeholder without a token is refused by TemplateRules
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors["tokens"] = ["tokens must be an object: name → \"digits\" | \"alphanumeric\" | \"text\" | {\"type\",\"max_length\"}"];
            return tokens;
        }

        foreach (var p in value.EnumerateObject())
        {
            var field = "tokens." + (TemplateRules.IsTokenName(p.Name) ? p.Name : "name");
            if (!TemplateRules.IsTokenName(p.Name))
            {
                errors[field] = [$"a token name must be {TemplateRules.TokenNameRule}"];
                continue;
            }

            if (tokens.ContainsKey(p.Name))
            {
                errors[field] = [$"token '{p.Name}' appears more than once"];
                continue;
            }

            string? typeName = null;
            int? maxLength = null;
            if (p.Value.ValueKind == JsonValueKind.String)
            {
                typeName = p.Value.GetString();
            }
            else if (p.Value.ValueKind == JsonValueKind.Object)
            {
                var inner = new Dictionary<string, string[]>(StringComparer.Ordinal);
                RequestBody.CheckFields(p.Value, ["type", "max_length"], inner);
                if (inner.Count > 0)
                {
                    errors[field] = [$"{field} may only have \"type\" and \"max_length\""];
                    continue;
                }

                typeName = p.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (p.Value.TryGetProperty("max_length", out var m))
                {
                    maxLength = m.ValueKind == JsonValueKind.Number && m.TryGetInt32(out var n) ? n : -1;
                }
            }

            if (!TemplateToken.TryParseType(typeName, out var type))
            {
                errors[field] = [$"{field} must be \"digits\", \"alphanumeric\" or \"text\" (or {{\"type\",\"max_length\"}})"];
            }
            else if (maxLength is not null && maxLength is < 1 or > TemplateToken.MaxAllowedLength)
            {
                errors[field] = [$"{field}.max_length must be an integer from 1 to {TemplateToken.MaxAllowedLength}"];
            }
            else
            {
                tokens[p.Name] = new TemplateToken(type, maxLength ?? TemplateToken.DefaultMaxLength(type));
            }
        }

        return tokens;
    }
}
