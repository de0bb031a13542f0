namespace SmsGateway.Billing;

/// <summary>A reservation the expiry sweep refunded because its message was never confirmed stored within the deadline.</summary>
/// <param name="UserId">The owner.</param>
/// <param name="MessageId">The message the reservation was made for.</param>
/// <param name="Amount">Minor units returned to available.</param>
/// <param name="ReservedAt">When the reservation was made (the ledger store's clock).</param>
public sealed record ExpiredReservation(string UserId, Guid MessageId, long Amount, DateTimeOffset ReservedAt);
