using System.Text.Json;
using SmsGateway.Accept;
using SmsGateway.Host.Access;
using SmsGateway.Host.Accounts;
using SmsGateway.Host.Callbacks;
using SmsGateway.Status;
using SmsGateway.Templates;

namespace SmsGateway.Host.Api;

/// <summary>
/// <c>POST /verify</c>: fills one of the account's templates (README "Verification templates") and sends the text as an
/// express message through the accept path of <c>/send</c> (<see cref="SendApi.AcceptAsync"/>): same checks, block lists,
/// Idempotency-Key (its own scope), limits, price and answer.
/// </summary>
public static class VerifyApi
{
    /// <summary>Fields a <c>/verify</c> body may carry.</summary>
    public static readonly IReadOnlyList<string> KnownFields = ["template", "phone", "tokens", "user_id"];

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapVerifyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/verify", VerifyAsync)
            .WithName("Verify")
            .WithTags("Messages")
            .WithSummary("Send a verification code from a template (express)")
            .WithDescription("Body {\"template\",\"phone\",\"tokens\":{name: value},\"user_id\"} (user_id defaults to the caller's own account); " +
                "optional Idempotency-Key header. Each token is checked by its type (400 naming tokens.<name>); the filled text is sent as an " +
                "express message and priced like /send. 422 /problems/blocked-recipient when the phone is on a block list.")
            .Accepts<VerifyBody>("application/json")
            .Produces<SendResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(AccessPolicies.Client)
            .WithMetadata(ServedOn.Gateway);
        return app;
    }

    internal static async Task<IResult> VerifyAsync(HttpContext context, AcceptServices services, TemplateCache templates)
    {
        var (body, bodyError) = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return Problems.Field("body", bodyError!);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? name, phone, userId;
        Dictionary<string, string?> values;
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

            name = RequestBody.GetText(root, "template", errors);
            phone = RequestBody.GetText(root, "phone", errors);
            userId = RequestBody.GetText(root, "user_id", errors, allowInteger: true);
            values = ReadValues(root, errors);
        }
        catch (JsonException ex)
        {
            return Problems.Field("body", $"the body is not valid JSON (UTF-8) near byte {ex.BytePositionInLine ?? 0} of line {(ex.LineNumber ?? 0) + 1}");
        }

        userId ??= AccountAccess.OwnAccount(context.User);
        if (string.IsNullOrEmpty(name))
        {
            errors["template"] = ["template is required: the name of one of the account's templates"];
        }

        if (userId is null)
        {
            errors["user_id"] = ["user_id is required"];
        }
        else if (!Validation.SendValidator.IsValidUserId(userId))
        {
            errors["user_id"] = [$"user_id must be {Validation.SendValidator.UserIdRule}"];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (AccountAccess.ForbidUnlessOwner(context, userId!) is { } forbidden)
        {
            return forbidden;
        }

        MessageTemplate? template;
        try
        {
            template = await templates.GetAsync(userId!, name!, context.RequestAborted);
        }
        catch (StatusStoreUnavailableException ex)
        {
            return Problems.Unavailable(context, "the template could not be read; nothing was charged; retry later", ex);
        }

        if (template is null)
        {
            return Problems.Field("template", $"account {userId} has no template '{(name!.Length <= 64 ? name : name[..64])}'");
        }

        var text = TemplateRules.Fill(template, values, errors);
        if (text is null)
        {
            return Problems.Validation(errors);
        }

        var request = new SendRequest(phone, text, "express", userId);
        return await SendApi.AcceptAsync(context, request, body, "verify", services);
    }

    // tokens: an object of strings (an integer is taken as its digits, e.g. {"token": 123456}); anything else names the token.
    private static Dictionary<string, string?> ReadValues(JsonElement root, Dictionary<string, string[]> errors)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!root.TryGetProperty("tokens", out var tokens) || tokens.ValueKind == JsonValueKind.Null)
        {
            return values;
        }

        if (tokens.ValueKind != JsonValueKind.Object)
        {
            errors["tokens"] = ["tokens must be an object of token name → value"];
            return values;
        }

        var inner = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var p in tokens.EnumerateObject())
        {
            var field = TemplateRules.IsTokenName(p.Name) ? p.Name : "name";
            if (values.ContainsKey(p.Name))
            {
                errors["tokens." + field] = [$"tokens.{field} appears more than once"];
                continue;
            }

            var value = RequestBody.GetText(tokens, p.Name, inner, allowInteger: true);
            if (inner.Remove(p.Name, out var problem))
            {
                errors["tokens." + field] = [$"tokens.{problem[0]}"];
                continue;
            }

            values[p.Name] = value;
        }

        return values;
    }
}
