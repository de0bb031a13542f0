using System.Text.Json.Serialization;

namespace SmsGateway.Host.Api;

/// <summary>Answer of <c>POST /send/batch</c>: the batch id and one result per item, in the order of the request.</summary>
/// <param name="BatchId">Carried by every accepted message; <c>GET /batches/{id}</c> counts them per status.</param>
/// <param name="Accepted">Items queued (each charged its own price).</param>
/// <param name="Refused">Items refused (nothing charged for them).</param>
/// <param name="Results">One per item, index order.</param>
public sealed record BatchResponse(Guid BatchId, int Accepted, int Refused, IReadOnlyList<BatchItemResult> Results);

/// <summary>One item's outcome: <c>{"index","id"}</c> when queued, <c>{"index","problem"}</c> when refused.</summary>
/// <param name="Index">0-based position in <c>messages</c> or <c>phones</c>.</param>
/// <param name="Id">The message id (queued items only).</param>
/// <param name="Problem">Why the item was refused (refused items only).</param>
public sealed record BatchItemResult(
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ItemProblem? Problem);

/// <summary>An RFC 9457-shaped problem of one batch item.</summary>
/// <param name="Type">Problem type URI, the same as <c>/send</c> answers for the same cause.</param>
/// <param name="Title">Short summary.</param>
/// <param name="Status">The HTTP status <c>/send</c> would have answered for this item alone.</param>
/// <param name="Detail">Explanation, without internal details.</param>
/// <param name="Field">The item field the problem is about (e.g. <c>phone</c>); null when not about one field.</param>
public sealed record ItemProblem(string Type, string Title, int Status, string Detail, string? Field);

/// <summary>
/// Answer of <c>POST /send/batch</c> when no item was queued: an RFC 9457 problem (<c>application/problem+json</c>) whose
/// status is the items' most retryable cause (503, then 429, 402, 403, 400), with the per-item results as extension members.
/// </summary>
public sealed record BatchProblem(string Type, string Title, int Status, string Detail, Guid BatchId, int Accepted, int Refused, IReadOnlyList<BatchItemResult> Results);

/// <summary>Answer of <c>GET /batches/{id}</c>.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="UserId">Owner of its messages.</param>
/// <param name="Total">Messages of the batch in the status store (items refused at validation are never stored).</param>
/// <param name="Counts">Messages per current status, every status listed.</param>
public sealed record BatchCountsResponse(Guid BatchId, string UserId, long Total, IReadOnlyDictionary<string, long> Counts);

/// <summary>Serializer of the batch answers (snake_case; idempotent replays store the exact text).</summary>
internal static class BatchJson
{
    public static System.Text.Json.JsonSerializerOptions Options { get; } = new(BatchJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BatchResponse))]
[JsonSerializable(typeof(BatchCountsResponse))]
[JsonSerializable(typeof(BatchProblem))]
internal sealed partial class BatchJsonContext : JsonSerializerContext;
