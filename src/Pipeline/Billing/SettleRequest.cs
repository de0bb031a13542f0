namespace SmsGateway.Billing;

/// <summary>One item of <see cref="IBalanceLedger.SettleManyAsync"/>: a capture or a refund of one message's reservation.</summary>
/// <param name="UserId">Owner of the reservation.</param>
/// <param name="MessageId">The message.</param>
/// <param name="Kind">Capture or refund.</param>
/// <param name="OperatorMessageId">On a capture, the id the operator gave the accepted message (kept as reservation field
/// <c>o</c>); null when it gave none. Ignored on a refund.</param>
public readonly record struct SettleRequest(string UserId, Guid MessageId, SettleKind Kind, string? OperatorMessageId = null);
