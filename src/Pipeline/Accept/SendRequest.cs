namespace SmsGateway.Accept;

/// <summary>A send request as the client wrote it (the body of <c>POST /send</c>). Every field may be missing or wrong.</summary>
/// <param name="Phone">Destination in any accepted Iranian form (see <see cref="Validation.MsisdnNormalizer"/>).</param>
/// <param name="Text">Message body.</param>
/// <param name="Type"><c>express</c> or <c>normal</c>.</param>
/// <param name="UserId">The paying user.</param>
/// <param name="From">Optional sender id (see <see cref="Validation.SenderId"/>); null for the operator's default.</param>
/// <param name="CallbackUrl">Optional URL that receives the final statuses (already checked by the caller: http/https, allowed target); null for none.</param>
/// <param name="SendAt">Optional <c>send_at</c>: RFC 3339 date-time with an offset (e.g. <c>2026-12-01T10:00:00+03:30</c>); the message is reserved now and published then. Null to send now.</param>
/// <param name="ValidityPeriod">Optional <c>validity_period</c>, seconds from <c>send_at</c> (or accept): not sent by then, the message becomes <c>expired</c> and is refunded. Null for none.</param>
public sealed record SendRequest(string? Phone, string? Text, string? Type, string? UserId, string? From = null, string? CallbackUrl = null,
    string? SendAt = null, long? ValidityPeriod = null)
{
    /// <summary>
    /// Every JSON field a <c>/send</c> body may carry, by wire name. Any other field is refused (400 naming it), so add a new
    /// optional field here, to this record, and to its reading in the host's <c>SendApi</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> KnownFields = ["phone", "text", "type", "user_id", "from", "callback_url", "send_at", "validity_period"];

    /// <summary>
    /// Set by the host from the account setting <c>store_text</c> (never from the body): the status store keeps the text of
    /// this message (README "Reports"). Default false.
    /// </summary>
    public bool StoreText { get; init; }
}
