namespace SmsGateway.Model;

/// <summary>
/// One status change of one message, published to <c>sms-status</c>. Idempotent by
/// (<see cref="MessageId"/>, <see cref="Status"/>, <see cref="Attempt"/>). Every event carries the message's
/// descriptive fields so that a store can create the message row from whichever event arrives first.
/// </summary>
/// <param name="MessageId">The message id.</param>
/// <param name="UserId">Owner of the message.</param>
/// <param name="Status">The new status.</param>
/// <param name="Attempt">The send attempt the event belongs to (1-based; 0 for accept-time events).</param>
/// <param name="At">When the status changed (UTC).</param>
/// <param name="Msisdn">Destination, E.164.</param>
/// <param name="Operator">Operator name.</param>
/// <param name="Type">Express or normal.</param>
/// <param name="Encoding">GSM-7 or UCS-2.</param>
/// <param name="Segments">SMS parts.</param>
/// <param name="Cost">Price in minor currency units.</param>
/// <param name="AcceptedAt">Accept time of the message (UTC).</param>
/// <param name="ErrorCode">Operator or gateway error code for failures; null otherwise.</param>
/// <param name="BatchId">The message's batch (<see cref="SmsMessage.BatchId"/>); null outside a batch.</param>
/// <param name="Text">The message text, only on the accept-time <c>queued</c> event of an account that stores texts; null otherwise.</param>
public sealed record StatusEvent(
    Guid MessageId,
    string UserId,
    MessageStatus Status,
    int Attempt,
    DateTimeOffset At,
    string Msisdn,
    string Operator,
    MessageType Type,
    SmsEncoding Encoding,
    int Segments,
    long Cost,
    DateTimeOffset AcceptedAt,
    string? ErrorCode = null,
    Guid? BatchId = null,
    string? Text = null)
{
    /// <summary>Builds the event for <paramref name="message"/> entering <paramref name="status"/>.</summary>
    public static StatusEvent For(SmsMessage message, MessageStatus status, DateTimeOffset at, string? errorCode = null, int? attempt = null) =>
        new(message.Id, message.UserId, status, attempt ?? message.Attempt, at, message.Msisdn, message.Operator, message.Type,
            message.Encoding, message.Segments, message.Cost, message.AcceptedAt, errorCode, message.BatchId);
}
