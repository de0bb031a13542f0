namespace SmsGateway.Billing;

/// <summary>One item of <see cref="IBalanceLedger.BeginSendManyAsync"/>: the dispatch step before one message's operator send.</summary>
/// <param name="UserId">Owner of the reservation.</param>
/// <param name="MessageId">The message.</param>
/// <param name="Attempt">The message's send attempt (1-based, <see cref="Model.SmsMessage.Attempt"/>).</param>
public readonly record struct BeginSendRequest(string UserId, Guid MessageId, int Attempt);
