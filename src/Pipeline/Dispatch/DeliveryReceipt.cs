namespace SmsGateway.Dispatch;

/// <summary>
/// A delivery receipt (DLR) from an operator: the final state of a message the operator had accepted, keyed by the
/// operator's message id (SMPP 3.4 §5.2.12 <c>esm_class</c> receipt bit; receipt text format in Appendix B;
/// <c>receipted_message_id</c> / <c>message_state</c> TLVs §5.3.2.12 and §5.3.2.35).
/// </summary>
/// <param name="Operator">Operator name from <c>operator.json</c> whose SMSC sent the receipt.</param>
/// <param name="OperatorMessageId">The id the SMSC gave in <c>submit_sm_resp</c> (for a multipart message: the id of one part).</param>
/// <param name="Outcome">Delivered or not.</param>
/// <param name="Stat">The SMSC's state word as received (<c>DELIVRD</c>, <c>UNDELIV</c>, <c>EXPIRED</c>, <c>REJECTD</c>, ...), kept for reports.</param>
/// <param name="ErrorCode">The SMSC's <c>err:</c> code as received (network specific), or null.</param>
/// <param name="DoneAt">The receipt's <c>done date</c> (UTC) when it parsed, otherwise the time it was received.</param>
public readonly record struct DeliveryReceipt(
    string Operator,
    string OperatorMessageId,
    ReceiptOutcome Outcome,
    string? Stat,
    string? ErrorCode,
    DateTimeOffset DoneAt);

/// <summary>What a delivery receipt says happened to a message.</summary>
public enum ReceiptOutcome
{
    /// <summary>The handset received it (<c>DELIVRD</c>): status <c>delivered</c>.</summary>
    Delivered = 0,

    /// <summary>It will not be delivered (<c>UNDELIV</c>, <c>EXPIRED</c>, <c>REJECTD</c>, <c>DELETED</c>, <c>UNKNOWN</c>): status <c>undelivered</c>.</summary>
    Undelivered = 1,
}
