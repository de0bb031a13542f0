using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using SmsGateway.Accept;
using SmsGateway.Host.Access;
using SmsGateway.Host.Accounts;
using SmsGateway.Host.Callbacks;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Host.Api;

/// <summary><c>POST /send/batch</c> (bulk send) and <c>GET /batches/{id}</c> (counts per status), README "Bulk send".</summary>
public static class BatchApi
{
    /// <summary>Maps <c>POST /send/batch</c> (gateway role).</summary>
    public static IEndpointRouteBuilder MapBatchSendApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/send/batch", SendBatchAsync)
            .WithName("SendBatch")
            .WithSummary("Queue up to 1,000 SMS in one request")
            .WithDescription("Body {\"messages\":[<a /send body>, ...]} or {\"phones\":[\"...\", ...],\"text\",\"type\",\"user_id\",\"from\",\"callback_url\"} " +
                "with 1-1000 items (body at most 2 MiB); optional Idempotency-Key header. Each item is validated, priced, reserved and queued on its own. " +
                "202 {\"batch_id\",\"accepted\",\"refused\",\"results\":[{\"index\",\"id\"}|{\"index\",\"problem\":{\"type\",\"title\",\"status\",\"detail\",\"field\"}}]} " +
                "when at least one item was queued; otherwise a problem with the same members and the items' most retryable status " +
                "(503, 429, 402, 403, 400). 400 naming messages/phones for an empty or too long list.")
            .Accepts<JsonElement>("application/json")
            .Produces<BatchResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(AccessPolicies.Client)
            .WithMetadata(new RequestSizeLimitAttribute(BatchBody.MaxBytes))
            .WithMetadata(ServedOn.Gateway);
        return app;
    }

    /// <summary>Maps <c>GET /batches/{id}</c> (reporter role).</summary>
    public static IEndpointRouteBuilder MapBatchReportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/batches/{id}", GetBatchAsync)
            .WithName("Batch")
            .WithSummary("Counts per current status of a batch's messages")
            .WithDescription("The owner of the batch's messages or an admin. Counts come from the status store (within a status batch age, ~50 ms).")
            .Produces<BatchCountsResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(AccessPolicies.Client)
            .WithMetadata(ServedOn.GatewayAndReport);
        return app;
    }

    internal static async Task<IResult> SendBatchAsync(HttpContext context, SmsPipeline pipeline, IdempotencyGuard idempotency, AccountLimitGate limits,
        AccountSettingsCache accounts, CallbackTargetGuard callbackGuard)
    {
        byte[]? body;
        string? bodyError;
        try
        {
            (body, bodyError) = await RequestBody.ReadAsync(context.Request, BatchBody.MaxBytes, context.RequestAborted);
        }
        catch (BadHttpRequestException ex)
        {
            return TypedResults.Problem("the request body could not be read in time or is too large", statusCode: ex.StatusCode,
                title: "Bad request body", type: "/problems/body");
        }

        if (body is null)
        {
            return Problems.Field("body", bodyError!);
        }

        List<(SendRequest? Request, Dictionary<string, string[]>? Errors)> items;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var errors = BatchBody.Read(doc.RootElement, out items);
            if (errors.Count > 0)
            {
                return Problems.Validation(errors);
            }
        }
        catch (JsonException ex)
        {
            return Problems.Field("body", $"the body is not valid JSON (UTF-8) near byte {ex.BytePositionInLine ?? 0} of line {(ex.LineNumber ?? 0) + 1}");
        }

        var problems = new ItemProblem?[items.Count];
        var requests = new SendRequest?[items.Count];
        try
        {
            await PrepareAsync(context, items, requests, problems, accounts, callbackGuard);
        }
        catch (StatusStoreUnavailableException ex)
        {
            return Problems.Unavailable(context, "the account's settings could not be read; nothing was charged; retry later", ex);
        }

        var payer = AccountAccess.OwnAccount(context.User) ?? requests.FirstOrDefault(r => r is not null)?.UserId ?? string.Empty;
        var (early, claim) = await idempotency.BeginAsync(context, "send-batch", payer, body);
        if (early is not null)
        {
            return early;
        }

        foreach (var group in requests.Where(r => r?.UserId is not null).GroupBy(r => r!.UserId!, StringComparer.Ordinal))
        {
            if (await limits.CheckMessagesAsync(context, group.Key, group.Count()) is { } limited)
            {
                await idempotency.ReleaseAsync(claim);
                return limited;
            }
        }

        var batchId = MessageIds.New();
        var positions = new List<int>(items.Count);
        var valid = new List<SendRequest>(items.Count);
        for (int i = 0; i < requests.Length; i++)
        {
            if (requests[i] is { } r)
            {
                positions.Add(i);
                valid.Add(r);
            }
        }

        var accepted = valid.Count == 0 ? [] : await pipeline.SendBatchAsync(valid, batchId, CancellationToken.None);
        var results = new BatchItemResult[items.Count];
        int queued = 0;
        for (int k = 0; k < accepted.Length; k++)
        {
            var result = accepted[k];
            if (result.Status == AcceptStatus.Queued)
            {
                queued++;
                results[positions[k]] = new BatchItemResult(positions[k], result.Message!.Id, null);
            }
            else
            {
                problems[positions[k]] = ProblemOf(result);
            }
        }

        for (int i = 0; i < results.Length; i++)
        {
            results[i] ??= new BatchItemResult(i, null, problems[i]);
        }

        return await AnswerAsync(context, idempotency, claim, batchId, queued, results);
    }

    internal static async Task<IResult> GetBatchAsync(HttpContext context, string id, IStatusStore store)
    {
        if (!Guid.TryParse(id, out var batchId))
        {
            return Problems.Field("id", "id must be a batch id (UUID), the batch_id of a POST /send/batch answer");
        }

        try
        {
            var batch = await store.GetBatchAsync(batchId, context.RequestAborted);
            if (batch is null)
            {
                return Problems.NotFound($"no message of batch {batchId} is stored (status events reach the store within a batch age, ~50 ms)");
            }

            if (AccountAccess.ForbidUnlessOwner(context, batch.UserId) is { } forbidden)
            {
                return forbidden;
            }

            var counts = batch.Counts.ToDictionary(kv => kv.Key.ToWireName(), kv => kv.Value);
            return TypedResults.Json(new BatchCountsResponse(batch.BatchId, batch.UserId, batch.Total, counts), BatchJson.Options);
        }
        catch (StatusStoreUnavailableException ex)
        {
            return Problems.Unavailable(context, "the status store is unavailable; retry later", ex);
        }
    }

    // Per item: its own field errors, the caller's account as default user_id, ownership (403), sender and callback checks,
    // the block lists (422), and the account's store_text setting. Checks are remembered per (user, from, callback_url), so a batch costs one
    // settings read and one callback check per distinct combination, not per item.
    private static async Task PrepareAsync(HttpContext context, List<(SendRequest? Request, Dictionary<string, string[]>? Errors)> items,
        SendRequest?[] requests, ItemProblem?[] problems, AccountSettingsCache accounts, CallbackTargetGuard callbackGuard)
    {
        var own = AccountAccess.OwnAccount(context.User);
        var owners = new Dictionary<string, bool>(StringComparer.Ordinal);
        var checks = new Dictionary<(string, string?, string?), (IResult? Problem, string? CallbackUrl, bool StoreText)>();
        for (int i = 0; i < items.Count; i++)
        {
            var (request, errors) = items[i];
            if (request is null)
            {
                var (field, messages) = errors!.First();
                problems[i] = new ItemProblem("/problems/validation", "Invalid request", StatusCodes.Status400BadRequest, messages[0], field);
                continue;
            }

            if (request.UserId is null && own is not null)
            {
                request = request with { UserId = own };
            }

            if (request.UserId is { } userId)
            {
                if (!owners.TryGetValue(userId, out var mayAct))
                {
                    owners[userId] = mayAct = OwnerAuthorizationHandler.MayActFor(context.User, userId);
                }

                if (!mayAct)
                {
                    problems[i] = new ItemProblem("/problems/forbidden", "Forbidden", StatusCodes.Status403Forbidden,
                        "this credential acts only for its own user id", "user_id");
                    continue;
                }

                var key = (userId, request.From, request.CallbackUrl);
                if (!checks.TryGetValue(key, out var check))
                {
                    checks[key] = check = await SendApi.SenderAndCallbackAsync(request, accounts, callbackGuard, context.RequestAborted);
                }

                if (check.Problem is not null)
                {
                    problems[i] = await ItemProblemOfAsync(context, check.Problem);
                    continue;
                }

                // A recipient on the account's or the global block list: this item is refused (422), the others go on.
                if (await SendApi.BlockedAsync(context, request, context.RequestServices.GetRequiredService<RecipientBlockCheck>()) is { } blocked)
                {
                    problems[i] = await ItemProblemOfAsync(context, blocked);
                    continue;
                }

                request = request with { CallbackUrl = check.CallbackUrl, StoreText = check.StoreText };
            }

            requests[i] = request;
        }
    }

    // The sender/callback checks answer as /send does (an IResult); an item carries the same problem's members.
    private static async Task<ItemProblem> ItemProblemOfAsync(HttpContext context, IResult result)
    {
        var probe = new DefaultHttpContext { RequestServices = context.RequestServices };
        probe.Response.Body = new MemoryStream();
        await result.ExecuteAsync(probe);
        probe.Response.Body.Position = 0;
        using var doc = await JsonDocument.ParseAsync(probe.Response.Body);
        var root = doc.RootElement;
        string? field = root.TryGetProperty("field", out var f) ? f.GetString() : null;
        string detail = root.TryGetProperty("detail", out var d) ? d.GetString() ?? string.Empty : string.Empty;
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            foreach (var e in errors.EnumerateObject())
            {
                field = e.Name;
                detail = e.Value[0].GetString() ?? detail;
                break;
            }
        }

        return new ItemProblem(root.GetProperty("type").GetString() ?? "about:blank", root.GetProperty("title").GetString() ?? string.Empty,
            probe.Response.StatusCode, detail, field);
    }

    private static ItemProblem ProblemOf(AcceptResult result) => result.Status switch
    {
        AcceptStatus.Invalid => FirstError(result.Errors!),
        AcceptStatus.InsufficientBalance => new ItemProblem("/problems/insufficient-balance", "Insufficient balance", StatusCodes.Status402PaymentRequired,
            $"{result.Detail}: the message costs {result.Message!.Cost} ({result.Message.Segments} segments)", null),
        AcceptStatus.Saturated => new ItemProblem("/problems/saturated", "Gateway saturated", StatusCodes.Status429TooManyRequests, result.Detail!, null),
        _ => new ItemProblem("/problems/unavailable", "Dependency unavailable", StatusCodes.Status503ServiceUnavailable,
            "the message could not be queued; nothing was charged; retry later", null),
    };

    private static ItemProblem FirstError(IReadOnlyDictionary<string, string[]> errors)
    {
        var (field, messages) = errors.First();
        return new ItemProblem("/problems/validation", "Invalid request", StatusCodes.Status400BadRequest, messages[0], field);
    }

    private static async Task<IResult> AnswerAsync(HttpContext context, IdempotencyGuard idempotency, IdempotencyGuard.Claim? claim, Guid batchId,
        int queued, BatchItemResult[] results)
    {
        int refused = results.Length - queued;
        if (queued > 0)
        {
            var json = JsonSerializer.Serialize(new BatchResponse(batchId, queued, refused, results), BatchJson.Options);
            await idempotency.CompleteAsync(claim, StatusCodes.Status202Accepted, json);
            context.Response.Headers.Location = $"/batches/{batchId}";
            return Results.Text(json, "application/json", System.Text.Encoding.UTF8, StatusCodes.Status202Accepted);
        }

        // Nothing was queued, so nothing changed: the key is released and the client may retry with it.
        await idempotency.ReleaseAsync(claim);
        int status = new[] { 503, 429, 402, 403 }.FirstOrDefault(s => results.Any(r => r.Problem?.Status == s), StatusCodes.Status400BadRequest);
        if (status is 503 or 429)
        {
            context.Response.Headers.RetryAfter = status == 503 ? "2" : "1";
        }

        var problem = new BatchProblem("/problems/batch-refused", "No item of the batch was queued", status,
            "every item was refused; see results for each item's problem; nothing was charged", batchId, 0, refused, results);
        return Results.Text(JsonSerializer.Serialize(problem, BatchJson.Options), "application/problem+json", System.Text.Encoding.UTF8, status);
    }
}
