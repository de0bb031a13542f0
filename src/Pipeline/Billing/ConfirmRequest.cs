namespace SmsGateway.Billing;

/// <summary>One item of <see cref="IBalanceLedger.ConfirmManyAsync"/>: one stored message whose reservation is confirmed.</summary>
/// <param name="UserId">Owner of the reservation.</param>
/// <param name="MessageId">The message.</param>
public readonly record struct ConfirmRequest(string UserId, Guid MessageId);
