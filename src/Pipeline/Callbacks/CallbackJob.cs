using System.Text.Json;
using System.Text.Json.Serialization;
using SmsGateway.Model;

namespace SmsGateway.Callbacks;

/// <summary>
/// One status callback waiting on <c>sms-callback</c>: the final status of a message to POST to the client's URL.
/// </summary>
/// <param name="Id">Message id.</param>
/// <param name="UserId">Owner of the message (whose callback secret signs the body).</param>
/// <param name="Status">Wire name of the final status: <c>sent</c>, <c>delivered</c>, <c>undelivered</c> or <c>failed</c>.</param>
/// <param name="Operator">Operator name.</param>
/// <param name="ErrorCode">Error code of the status event (for receipts <c>STAT:err</c>), or null.</param>
/// <param name="Time">When the status changed (UTC).</param>
/// <param name="Url">Target URL (http or https).</param>
/// <param name="QueuedAt">When the callback was first queued (UTC); retries stop 24 h after it by default.</param>
/// <param name="Attempt">The send attempt of the status event (keeps the job's broker key unique per attempt).</param>
/// <param name="Tries">POSTs already made and failed (0 for a new job).</param>
/// <param name="NotBefore">Earliest time of the next POST (backoff), or null for at once.</param>
public sealed record CallbackJob(Guid Id, string UserId, string Status, string Operator, string? ErrorCode, DateTimeOffset Time, string Url,
    DateTimeOffset QueuedAt, int Attempt, int Tries = 0, DateTimeOffset? NotBefore = null)
{
    /// <summary>The broker key: one per message, status, send attempt and try (a re-published try is a new message, not a duplicate).</summary>
    public string Key => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Id:N}.{Status}.{Attempt}.{Tries}.callback");

    /// <summary>The final statuses that trigger a callback.</summary>
    public static bool IsCallbackStatus(MessageStatus status) =>
        status is MessageStatus.Sent or MessageStatus.Delivered or MessageStatus.Undelivered or MessageStatus.Failed
            or MessageStatus.Expired or MessageStatus.Canceled;

    /// <summary>Builds the job for <paramref name="e"/> to <paramref name="url"/>.</summary>
    public static CallbackJob For(StatusEvent e, string url, DateTimeOffset now) =>
        new(e.MessageId, e.UserId, e.Status.ToWireName(), e.Operator, e.ErrorCode, e.At, url, now, e.Attempt);

    /// <summary>The POSTed body, UTF-8 JSON: <c>{"id","user_id","status","operator","error_code","time"}</c>. The signature covers exactly these bytes.</summary>
    public byte[] Body() => JsonSerializer.SerializeToUtf8Bytes(new CallbackBody(Id, UserId, Status, Operator, ErrorCode, Time), CallbackJsonContext.Default.CallbackBody);

    /// <summary>Serializes the job for the transport.</summary>
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, CallbackJsonContext.Default.CallbackJob);

    /// <summary>Reads a job from the transport.</summary>
    /// <exception cref="JsonException">Not a callback job.</exception>
    public static CallbackJob Deserialize(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, CallbackJsonContext.Default.CallbackJob) ?? throw new JsonException("null callback payload");
}

/// <summary>The body POSTed to the client.</summary>
public sealed record CallbackBody(Guid Id, string UserId, string Status, string Operator, string? ErrorCode, DateTimeOffset Time);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CallbackJob))]
[JsonSerializable(typeof(CallbackBody))]
internal sealed partial class CallbackJsonContext : JsonSerializerContext;
