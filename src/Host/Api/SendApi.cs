using SmsGateway.Status;
using System.Text.Json;
using SmsGateway.Accept;
using SmsGateway.Host.Access;
using SmsGateway.Host.Accounts;
using SmsGateway.Host.Callbacks;

namespace SmsGateway.Host.Api;

/// <summary><c>POST /send</c>: validate, price, reserve and queue one SMS.</summary>
public static class SendApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapSendApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/send", SendAsync)
            .WithName("Send")
            .WithSummary("Queue one SMS")
            .WithDescription("Body {\"phone\",\"text\",\"type\":\"express|normal\",\"user_id\"} with optional \"from\" (an allowed sender id) and " +
                "\"callback_url\" (http/https; final statuses are POSTed there, signed), \"send_at\" (RFC 3339 with offset, at most 30 days ahead: " +
                "reserved now, status scheduled, published then) and \"validity_period\" (seconds, 60..259200: not sent by then → expired, refunded); optional Idempotency-Key header. user_id defaults to " +
                "the caller's own account. 202 when the broker stored the message; 400 for invalid, unknown or repeated fields or no route; 402 for " +
                "insufficient balance; 403 for another user's user_id or a sender the account may not use; 429/503 with Retry-After.")
            .Accepts<Docs.SendBody>("application/json")
            .WithMetadata(Docs.DocumentedParameter.IdempotencyKey, new Docs.DocumentedExample(
                """{"phone":"09121234567","text":"کد تایید: 1234","type":"express","user_id":"123"}""",
                """{"id":"01a20230-1e35-7a3d-82a0-da0f9c648a70","status":"queued","phone":"+989121234567","operator":"MCI","segments":1,"encoding":"UCS-2","cost":1150}""",
                "The seed's call"))
            .Produces<SendResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(AccessPolicies.Client)
            .WithMetadata(ServedOn.Gateway);
        return app;
    }

    internal static async Task<IResult> SendAsync(HttpContext context, AcceptServices services)
    {
        byte[]? body;
        string? bodyError;
        try
        {
            (body, bodyError) = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's limits (body too slow: 408, too large: 413).
            return TypedResults.Problem("the request body could not be read in time or is too large", statusCode: ex.StatusCode,
                title: "Bad request body", type: "/problems/body");
        }

        if (body is null)
        {
            return Problems.Field("body", bodyError!);
        }

        SendRequest request;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problems.Field("body", "the body must be a JSON object");
            }

            request = ReadRequest(doc.RootElement, errors);
        }
        catch (JsonException ex)
        {
            return Problems.Field("body", $"the body is not valid JSON (UTF-8) near byte {ex.BytePositionInLine ?? 0} of line {(ex.LineNumber ?? 0) + 1}");
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return await AcceptAsync(context, request, body, "send", services);
    }

    /// <summary>
    /// The accept path shared by <c>/send</c> and <c>/verify</c> once the body is parsed into <paramref name="request"/>:
    /// ownership, sender and callback checks, the block lists, the Idempotency-Key (under <paramref name="idempotencyScope"/>,
    /// over the raw <paramref name="body"/>), the message limits, then the pipeline; returns the HTTP answer.
    /// </summary>
    internal static async Task<IResult> AcceptAsync(HttpContext context, SendRequest request, byte[] body, string idempotencyScope, AcceptServices services)
    {
        var (accounts, idempotency, limits) = (services.Accounts, services.Idempotency, services.Limits);
        if (request.UserId is null && AccountAccess.OwnAccount(context.User) is { } own)
        {
            request = request with { UserId = own };
        }

        if (request.UserId is not null && AccountAccess.ForbidUnlessOwner(context, request.UserId) is { } forbidden)
        {
            return forbidden;
        }

        IResult? senderProblem;
        string? callbackUrl;
        bool storeText;
        try
        {
            (senderProblem, callbackUrl, storeText) = await SenderAndCallbackAsync(request, accounts, services.CallbackGuard, context.RequestAborted);
        }
        catch (StatusStoreUnavailableException ex)
        {
            // The account settings store is down and this process has no copy of the account's settings: refuse, charge nothing.
            return Problems.Unavailable(context, "the account's settings could not be read; nothing was charged; retry later", ex);
        }

        if (senderProblem is not null)
        {
            return senderProblem;
        }

        // The number in E.164 form from here on: the block check and the validator find it normalised and make no copy of
        // their own (MsisdnNormalizer). A number that does not normalise stays as written, for the validator's 400.
        var phone = Validation.MsisdnNormalizer.TryNormalize(request.Phone, out var e164, out _) ? e164 : request.Phone;
        request = request with { Phone = phone, CallbackUrl = callbackUrl, StoreText = storeText };
        if (await BlockedAsync(context, request, services.Blocks) is { } blocked)
        {
            return blocked;
        }

        var (early, claim) = await idempotency.BeginAsync(context, idempotencyScope, request.UserId ?? string.Empty, body);
        if (early is not null)
        {
            return early;
        }

        if (request.UserId is not null && await limits.CheckMessageAsync(context, request.UserId) is { } limited)
        {
            await idempotency.ReleaseAsync(claim);
            return limited;
        }

        var result = await services.Pipeline.SendAsync(request, CancellationToken.None);
        switch (result.Status)
        {
            case AcceptStatus.Queued or AcceptStatus.Scheduled:
                var answer = AcceptedAnswer.Of(SendResponse.From(result.Message!, result.Status == AcceptStatus.Scheduled ? "scheduled" : "queued"));
                if (claim is not null)
                {
                    await idempotency.CompleteAsync(claim, StatusCodes.Status202Accepted, answer.Text());
                }

                context.Response.Headers.Location = $"/messages/{result.Message!.Id}";
                return answer;
            case AcceptStatus.Invalid:
                await idempotency.ReleaseAsync(claim);
                return Problems.Validation(result.Errors!);
            case AcceptStatus.InsufficientBalance:
                await idempotency.ReleaseAsync(claim);
                return Problems.InsufficientBalance($"{result.Detail}: the message costs {result.Message!.Cost} ({result.Message.Segments} segments)");
            case AcceptStatus.Saturated:
                await idempotency.ReleaseAsync(claim);
                return Problems.Saturated(context, result.Detail!);
            default:
                await idempotency.ReleaseAsync(claim);
                if (result.FailFast)
                {
                    // The circuit's opening was logged once (event 7100); a warning per refused request would flood the log.
                    ProblemLog.AcceptRefusedFast(services.Logger, result.Detail ?? "", context.TraceIdentifier);
                }
                else
                {
                    ProblemLog.AcceptUnavailable(services.Logger, result.Detail ?? "", context.TraceIdentifier);
                }

                return Problems.Unavailable(context, "the message could not be queued; nothing was charged; retry later");
        }
    }

    // "from" must be well formed (400) and one of the account's allowed senders (403); "callback_url" must be http(s) to an
    // allowed target (400), else the account's default applies. Fields are left to the pipeline's validator when user_id is bad.
    // StoreText is the account setting store_text (README "Reports"), from the same read of the settings.
    internal static async Task<(IResult? Problem, string? CallbackUrl, bool StoreText)> SenderAndCallbackAsync(SendRequest request,
        AccountSettingsCache accounts, CallbackTargetGuard guard, CancellationToken cancellationToken)
    {
        if (request.UserId is null || !Validation.SendValidator.IsValidUserId(request.UserId))
        {
            return (null, null, false);
        }

        var settings = await accounts.GetAsync(request.UserId, cancellationToken);
        if (request.From is not null)
        {
            if (Validation.SenderId.Classify(request.From) is null)
            {
                return (Problems.Field("from", $"from must be {Validation.SenderId.Rule}"), null, false);
            }

            if (!settings.Allows(request.From))
            {
                return (Problems.SenderNotAllowed($"from '{request.From}' is not an allowed sender of this account"), null, false);
            }
        }

        if (request.CallbackUrl is null)
        {
            return (null, settings.CallbackUrl, settings.StoreText);
        }

        var refused = await AccountSettingsApi.CheckCallbackUrlAsync(request.CallbackUrl, guard, cancellationToken);
        return refused is null ? (null, request.CallbackUrl, settings.StoreText) : (Problems.Field("callback_url", refused), null, false);
    }

    /// <summary>
    /// Reads a <c>/send</c> body (an object) field by field; problems go to <paramref name="errors"/> by field name. Also reads
    /// each item of <c>POST /send/batch</c>, so a field added here applies to both.
    /// </summary>
    internal static SendRequest ReadRequest(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (!RequestBody.CheckFields(root, SendRequest.KnownFields, errors))
        {
            return new SendRequest(null, null, null, null); // "body" names the problem; no field can be looked up
        }

        return new SendRequest(
            RequestBody.GetText(root, "phone", errors),
            RequestBody.GetText(root, "text", errors, allowLineBreaks: true),
            RequestBody.GetText(root, "type", errors),
            RequestBody.GetText(root, "user_id", errors, allowInteger: true),
            RequestBody.GetText(root, "from", errors),
            RequestBody.GetText(root, "callback_url", errors),
            RequestBody.GetText(root, "send_at", errors),
            RequestBody.GetInteger(root, "validity_period", errors));
    }

    // A recipient on the account's or the global block list is refused (422, nothing reserved); a malformed phone or user id is
    // left to the pipeline's validator. The lists are read through RecipientBlockCheck (cached; see README "Opt-out and block lists").
    internal static async Task<IResult?> BlockedAsync(HttpContext context, SendRequest request, RecipientBlockCheck blocks)
    {
        if (request.UserId is null || !Validation.SendValidator.IsValidUserId(request.UserId)
            || !Validation.MsisdnNormalizer.TryNormalize(request.Phone, out var msisdn, out _))
        {
            return null;
        }

        string? list;
        try
        {
            list = await blocks.FindAsync(request.UserId, msisdn, context.RequestAborted);
        }
        catch (StatusStoreUnavailableException ex)
        {
            return Problems.Unavailable(context, "the block lists could not be read; nothing was charged; retry later", ex);
        }

        return list is null ? null : Problems.BlockedRecipient(msisdn, list);
    }
}
