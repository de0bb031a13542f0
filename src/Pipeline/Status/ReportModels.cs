using SmsGateway.Model;

namespace SmsGateway.Status;

/// <summary>A report request.</summary>
/// <param name="UserId">Whose messages; users only ever see their own.</param>
/// <param name="Status">Only messages whose current status is this; null for all.</param>
/// <param name="From">Only messages accepted at or after this instant (UTC); null for no lower bound.</param>
/// <param name="To">Only messages accepted before this instant (UTC); null for no upper bound.</param>
/// <param name="Before">Keyset cursor: only messages with an id lower than this (the previous page's <see cref="UserReport.NextCursor"/>).</param>
/// <param name="Limit">Page size, 1..1000.</param>
/// <param name="Msisdn">Only messages to this E.164 number; null for all. Applies to the counts too.</param>
/// <param name="Type">Only express or only normal messages; null for both. Applies to the counts too.</param>
/// <param name="Operator">Only messages routed to this operator (exact name from <c>operator.json</c>); null for all. Applies to the counts too.</param>
/// <param name="BatchId">Only messages of this batch (<c>POST /send/batch</c>); null for all. Applies to the counts too.</param>
public sealed record ReportQuery(string UserId, MessageStatus? Status = null, DateTimeOffset? From = null, DateTimeOffset? To = null, Guid? Before = null, int Limit = 100,
    string? Msisdn = null, MessageType? Type = null, string? Operator = null, Guid? BatchId = null)
{
    /// <summary>True when a phone, type, operator or batch filter is set.</summary>
    public bool Filtered => Msisdn is not null || Type is not null || Operator is not null || BatchId is not null;

    /// <summary>True when <paramref name="m"/> passes the phone, type, operator and batch filters (not status, time or cursor).</summary>
    public bool Matches(MessageSummary m) =>
        (Msisdn is null || string.Equals(m.Msisdn, Msisdn, StringComparison.Ordinal)) &&
        (Type is null || m.Type == Type) &&
        (Operator is null || string.Equals(m.Operator, Operator, StringComparison.Ordinal)) &&
        (BatchId is null || m.BatchId == BatchId);
}

/// <summary>A CSV export request (<c>GET /reports/{userId}/export.csv</c>): one user's messages accepted in [From, To), oldest first.</summary>
/// <param name="UserId">Whose messages.</param>
/// <param name="From">Accepted at or after this instant (UTC).</param>
/// <param name="To">Accepted before this instant (UTC).</param>
public sealed record ExportQuery(string UserId, DateTimeOffset From, DateTimeOffset To);

/// <summary>Counts of one batch's messages per current status (<c>GET /batches/{id}</c>).</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="UserId">Owner of the batch's messages.</param>
/// <param name="Counts">Messages per current status (every status, zeros included).</param>
/// <param name="Total">Messages of the batch that reached the store (items refused at validation never do).</param>
public sealed record BatchCounts(Guid BatchId, string UserId, IReadOnlyDictionary<MessageStatus, long> Counts, long Total);

/// <summary>A report page.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Counts">Messages per current status over the query's time range (every status, zeros included).</param>
/// <param name="Messages">Newest first.</param>
/// <param name="NextCursor">Pass as <see cref="ReportQuery.Before"/> for the next page; null on the last page.</param>
public sealed record UserReport(string UserId, IReadOnlyDictionary<MessageStatus, long> Counts, IReadOnlyList<MessageSummary> Messages, Guid? NextCursor);

/// <summary>A message with its current status.</summary>
public sealed record MessageSummary(
    Guid Id,
    string UserId,
    string Msisdn,
    string Operator,
    MessageType Type,
    SmsEncoding Encoding,
    int Segments,
    long Cost,
    DateTimeOffset AcceptedAt,
    MessageStatus Status,
    int Attempt,
    DateTimeOffset UpdatedAt,
    string? ErrorCode,
    Guid? BatchId = null,
    string? Text = null);

/// <summary>A message and every status event it went through, oldest first.</summary>
public sealed record MessageHistory(MessageSummary Message, IReadOnlyList<StatusEvent> Events)
{
    /// <summary>
    /// The history of <paramref name="message"/> from its stored <paramref name="events"/> (oldest first), with the
    /// <c>queued</c> entry its later events imply when none was stored (docs/architecture.md "The queued event, implied"):
    /// added at <see cref="MessageSummary.AcceptedAt"/>, attempt 0, to a history that has events, and neither a
    /// <c>queued</c>, a <c>scheduled</c> (a scheduled message is queued by its release, which publishes the event) nor a
    /// <c>rejected</c> one (never queued). The entry is inserted into <paramref name="events"/>, which the history keeps.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or <paramref name="events"/> is null.</exception>
    public static MessageHistory Of(MessageSummary message, List<StatusEvent> events)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count > 0 && !events.Exists(e => e.Status is MessageStatus.Queued or MessageStatus.Scheduled or MessageStatus.Rejected))
        {
            events.Insert(0, new StatusEvent(message.Id, message.UserId, MessageStatus.Queued, 0, message.AcceptedAt, message.Msisdn,
                message.Operator, message.Type, message.Encoding, message.Segments, message.Cost, message.AcceptedAt, BatchId: message.BatchId));
        }

        return new MessageHistory(message, events);
    }
}
