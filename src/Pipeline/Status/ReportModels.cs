using SmsGateway.Model;

namespace SmsGateway.Status;

/// <summary>A report request.</summary>
/// <param name="UserId">Whose messages; users only ever see their own.</param>
/// <param name="Status">Only messages whose current status is this; null for all.</param>
/// <param name="From">Only messages accepted at or after this instant (UTC); null for no lower bound.</param>
/// <param name="To">Only messages accepted before this instant (UTC); null for no upper bound.</param>
/// <param name="Before">Keyset cursor: only messages with an id lower than this (the previous page's <see cref="UserReport.NextCursor"/>).</param>
/// <param name="Limit">Page size, 1..1000.</param>
public sealed record ReportQuery(string UserId, MessageStatus? Status = null, DateTimeOffset? From = null, DateTimeOffset? To = null, Guid? Before = null, int Limit = 100);

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
    string? ErrorCode);

/// <summary>A message and every status event it went through, oldest first.</summary>
public sealed record MessageHistory(MessageSummary Message, IReadOnlyList<StatusEvent> Events);
