using System.Security.Cryptography;
using SmsGateway.Idempotency;

namespace SmsGateway.Host.Api;

/// <summary>
/// Applies the <c>Idempotency-Key</c> header (draft-ietf-httpapi-idempotency-key-header): the first request with a key
/// wins; a repeat with the same body gets the first answer again (header <c>Idempotent-Replayed: true</c>); the same key with
/// another body is 422; a repeat while the first still runs is 409. Answers that changed nothing (429/503) release the key.
/// </summary>
internal sealed class IdempotencyGuard(IIdempotencyStore store, TimeSpan ttl, ILogger<IdempotencyGuard> logger)
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 255;

    /// <summary>The claimed key of this request, or null when the request carries none.</summary>
    public sealed record Claim(string Key);

    /// <summary>Claims the request's key. Returns (answer to send now, null) or (null, claim-or-null to go on with).</summary>
    public async Task<(IResult? Answer, Claim? Claim)> BeginAsync(HttpContext context, string scope, string userId, ReadOnlyMemory<byte> body)
    {
        string? key = context.Request.Headers[Header];
        if (key is null)
        {
            return (null, null);
        }

        if (key.Length is 0 or > MaxKeyLength)
        {
            return (Problems.Field(Header, $"the Idempotency-Key header must be 1-{MaxKeyLength} characters"), null);
        }

        var scoped = $"{scope}:{userId}:{key}";
        var fingerprint = Convert.ToHexString(SHA256.HashData(body.Span));
        IdempotencyClaim claim;
        try
        {
            claim = await store.TryClaimAsync(scoped, fingerprint, ttl, context.RequestAborted);
        }
        catch (IdempotencyStoreUnavailableException ex)
        {
            return (Problems.Unavailable(context, "the idempotency store is unavailable; nothing was charged; retry later", ex), null);
        }

        switch (claim.State)
        {
            case IdempotencyState.Claimed:
                return (null, new Claim(scoped));
            case IdempotencyState.Completed:
                context.Response.Headers["Idempotent-Replayed"] = "true";
                var stored = claim.Response!;
                return (Results.Text(stored.Body, stored.StatusCode >= 400 ? "application/problem+json" : "application/json", System.Text.Encoding.UTF8, stored.StatusCode), null);
            case IdempotencyState.InProgress:
                return (Problems.IdempotencyConflict("a request with this Idempotency-Key is still being processed", StatusCodes.Status409Conflict), null);
            default:
                return (Problems.IdempotencyConflict("this Idempotency-Key was used with a different request body", StatusCodes.Status422UnprocessableEntity), null);
        }
    }

    /// <summary>Remembers the answer given under <paramref name="claim"/>.</summary>
    public async Task CompleteAsync(Claim? claim, int statusCode, string body)
    {
        if (claim is null)
        {
            return;
        }

        try
        {
            await store.CompleteAsync(claim.Key, new StoredResponse(statusCode, body), ttl, CancellationToken.None);
        }
        catch (IdempotencyStoreUnavailableException ex)
        {
            // The answer was given; a repeat will find the key in progress (409) until it expires, never a second charge.
            ProblemLog.IdempotencyKeyNotSettled(logger, ex, "completed");
        }
    }

    /// <summary>Frees the key of a request that changed nothing, so the client may retry with it.</summary>
    public async Task ReleaseAsync(Claim? claim)
    {
        if (claim is null)
        {
            return;
        }

        try
        {
            await store.ReleaseAsync(claim.Key, CancellationToken.None);
        }
        catch (IdempotencyStoreUnavailableException ex)
        {
            // The key expires by itself.
            ProblemLog.IdempotencyKeyNotSettled(logger, ex, "released");
        }
    }
}
