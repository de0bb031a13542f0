namespace SmsGateway.Model;

/// <summary>
/// Life-cycle status of a message (DESIGN.md "Contracts"). The numeric values are stored (PostgreSQL <c>smallint</c>)
/// and never change; the precedence used to pick the current status when events of one attempt arrive out of order is
/// <see cref="Status.StatusPrecedence.Rank"/> (the declaration order for members 0-8; the later members slot in by rank).
/// </summary>
public enum MessageStatus
{
    /// <summary>Validated and priced; not yet queued.</summary>
    Accepted = 0,

    /// <summary>Balance reserved and the message stored by the broker on <c>sms-express</c> or <c>sms-normal</c>.</summary>
    Queued = 1,

    /// <summary>Handed to an operator connection, no answer yet.</summary>
    Sending = 2,

    /// <summary>An attempt failed transiently; the message waits on <c>sms-dlq</c> for its next attempt.</summary>
    Retrying = 3,

    /// <summary>Final unless a delivery receipt follows: the operator accepted the message; the reservation was captured.</summary>
    Sent = 4,

    /// <summary>Final: the operator's delivery receipt (DLR) reported delivery to the handset.</summary>
    Delivered = 5,

    /// <summary>Final: the operator's delivery receipt (DLR) reported that delivery failed.</summary>
    Undelivered = 6,

    /// <summary>Final: permanent failure or retries exhausted; the reservation was refunded.</summary>
    Failed = 7,

    /// <summary>Final: refused at accept (for example insufficient balance); never queued, nothing charged.</summary>
    Rejected = 8,

    /// <summary>
    /// Balance reserved and the message stored in the schedule store until its <c>send_at</c>; then published
    /// (<see cref="Queued"/>). Ranks between <see cref="Accepted"/> and <see cref="Queued"/>.
    /// </summary>
    Scheduled = 9,

    /// <summary>Final: its <c>validity_period</c> passed before it could be sent; never sent, the reservation was refunded.</summary>
    Expired = 10,

    /// <summary>Final: canceled by <c>DELETE /messages/{id}</c> before its sending started; never sent, the reservation was refunded.</summary>
    Canceled = 11,
}

/// <summary>Helpers for <see cref="MessageStatus"/>.</summary>
public static class MessageStatusExtensions
{
    /// <summary>True for statuses after which the gateway does nothing more with the message.</summary>
    public static bool IsFinal(this MessageStatus status) => status is MessageStatus.Sent or MessageStatus.Delivered
        or MessageStatus.Undelivered or MessageStatus.Failed or MessageStatus.Rejected or MessageStatus.Expired or MessageStatus.Canceled;

    /// <summary>The lower-case wire name (<c>"sent"</c>, <c>"failed"</c>, ...).</summary>
    public static string ToWireName(this MessageStatus status) => status switch
    {
        MessageStatus.Accepted => "accepted",
        MessageStatus.Queued => "queued",
        MessageStatus.Sending => "sending",
        MessageStatus.Retrying => "retrying",
        MessageStatus.Sent => "sent",
        MessageStatus.Delivered => "delivered",
        MessageStatus.Undelivered => "undelivered",
        MessageStatus.Failed => "failed",
        MessageStatus.Rejected => "rejected",
        MessageStatus.Scheduled => "scheduled",
        MessageStatus.Expired => "expired",
        MessageStatus.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Parses a wire name; case-insensitive.</summary>
    public static bool TryParseWireName(string? value, out MessageStatus status)
    {
        foreach (var s in Enum.GetValues<MessageStatus>())
        {
            if (string.Equals(s.ToWireName(), value, StringComparison.OrdinalIgnoreCase))
            {
                status = s;
                return true;
            }
        }

        status = default;
        return false;
    }
}
