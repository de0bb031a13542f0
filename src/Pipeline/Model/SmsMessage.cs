namespace SmsGateway.Model;

/// <summary>
/// An accepted message as it travels through the transport. Immutable; <see cref="Attempt"/> grows with each retry.
/// </summary>
/// <param name="Id">Time-ordered id (UUIDv7) assigned at accept; every side effect is idempotent by it.</param>
/// <param name="UserId">The paying user.</param>
/// <param name="Msisdn">Destination in E.164 form, <c>+989XXXXXXXXX</c>.</param>
/// <param name="Text">Message body.</param>
/// <param name="Type">Express or normal.</param>
/// <param name="Operator">Operator name from <c>operator.json</c> (<c>MCI</c>, <c>MTN</c>, <c>Rightel</c>, ...).</param>
/// <param name="Encoding">GSM-7 or UCS-2.</param>
/// <param name="Segments">Number of SMS parts (1..10).</param>
/// <param name="Cost">Reserved price in minor currency units: segments × operator price per segment.</param>
/// <param name="AcceptedAt">When the gateway accepted the message (UTC).</param>
/// <param name="Attempt">1 for the first send; at most 1 + the retry limit.</param>
/// <param name="NotBefore">For retries: the earliest time (UTC) the next attempt may run; null for the first attempt.</param>
/// <param name="From">
/// Sender id chosen by the client (<c>"from"</c> of <c>/send</c>): a line number (digits, at most 15) or an alphanumeric
/// name (at most 11 GSM-7 characters); null for the operator's default <c>source_addr</c>. Absent in older payloads.
/// </param>
/// <param name="CallbackUrl">Where final statuses are POSTed (the request's <c>callback_url</c>, else the account's default); null for none. Absent in older payloads.</param>
/// <param name="BatchId">The <c>batch_id</c> of the <c>POST /send/batch</c> that accepted the message; null for a single <c>/send</c>. Absent in older payloads.</param>
/// <param name="ValidUntil">
/// The end of the message's validity (<c>validity_period</c> of <c>/send</c>, counted from its <c>send_at</c> or from accept):
/// not sent by then, it becomes <c>expired</c> and is refunded; the operator gets the remaining period (SMPP
/// <c>validity_period</c>). Null for none (the SMSC's default). JSON <c>valid_until</c>; absent in older payloads.
/// </param>
/// <param name="StoreText">
/// True when the account stores message texts (account setting <c>store_text</c>, README "Reports"): the accept-time
/// <c>queued</c> event then carries <see cref="Text"/> to the status store. Decided at accept; not written to the broker.
/// </param>
public sealed record SmsMessage(
    Guid Id,
    string UserId,
    string Msisdn,
    string Text,
    MessageType Type,
    string Operator,
    SmsEncoding Encoding,
    int Segments,
    long Cost,
    DateTimeOffset AcceptedAt,
    int Attempt = 1,
    DateTimeOffset? NotBefore = null,
    string? From = null,
    string? CallbackUrl = null,
    Guid? BatchId = null,
    DateTimeOffset? ValidUntil = null,
    [property: System.Text.Json.Serialization.JsonIgnore] bool StoreText = false);
