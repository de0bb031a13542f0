using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using SmsGateway.Billing;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Host.Api;

/// <summary>202 answer of <c>POST /send</c>.</summary>
public sealed record SendResponse(Guid Id, string Status, string Phone, string Operator, int Segments, string Encoding, long Cost)
{
    internal static SendResponse From(SmsMessage m, string status = "queued") => new(m.Id, status, m.Msisdn, m.Operator, m.Segments, m.Encoding.ToWireName(), m.Cost);
}

/// <summary>Answer of <c>POST /charge/{userId}</c> and <c>GET /balance/{userId}</c>, minor currency units.</summary>
public sealed record BalanceResponse(string UserId, long Available, long Reserved, long Spent)
{
    internal static BalanceResponse From(Balance b) => new(b.UserId, b.Available, b.Reserved, b.Spent);
}

/// <summary>
/// One message in a report or message answer. <c>batch_id</c>: its <c>POST /send/batch</c>, else null. <c>text</c>: the message
/// text when the account stores texts (account setting <c>store_text</c>), else null.
/// </summary>
public sealed record MessageView(Guid Id, string UserId, string Phone, string Operator, string Type, int Segments, string Encoding, long Cost,
    string Status, int Attempt, DateTimeOffset AcceptedAt, DateTimeOffset UpdatedAt, string? ErrorCode, Guid? BatchId = null, string? Text = null)
{
    internal static MessageView From(MessageSummary m) => new(m.Id, m.UserId, m.Msisdn, m.Operator, m.Type.ToWireName(),
        m.Segments, m.Encoding.ToWireName(), m.Cost, m.Status.ToWireName(), m.Attempt, m.AcceptedAt, m.UpdatedAt, m.ErrorCode, m.BatchId, m.Text);
}

/// <summary>Answer of <c>GET /report/{userId}</c>.</summary>
public sealed record ReportResponse(string UserId, IReadOnlyDictionary<string, long> Counts, IReadOnlyList<MessageView> Messages, Guid? NextCursor);

/// <summary>One status change in a message's history.</summary>
public sealed record HistoryEntry(string Status, int Attempt, DateTimeOffset At, string? ErrorCode);

/// <summary>Answer of <c>GET /messages/{id}</c>.</summary>
public sealed record MessageResponse(MessageView Message, IReadOnlyList<HistoryEntry> History);

/// <summary>Serializer settings of answers written by hand (idempotent replays store the exact text).</summary>
internal static class ApiJson
{
    /// <summary>snake_case, generated metadata, and no needless escaping of '+' or non-ASCII text.</summary>
    public static System.Text.Json.JsonSerializerOptions Options { get; } = new(ApiJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value, Options);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SendResponse))]
[JsonSerializable(typeof(BalanceResponse))]
[JsonSerializable(typeof(ReportResponse))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(AccountSettingsView))]
[JsonSerializable(typeof(CallbacksResponse))]
[JsonSerializable(typeof(TemplateView))]
[JsonSerializable(typeof(TemplateList))]
[JsonSerializable(typeof(BlockedView))]
[JsonSerializable(typeof(BlockListView))]
[JsonSerializable(typeof(CancelResponse))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
