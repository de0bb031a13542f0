namespace SmsGateway.Host.Api;

/// <summary>200 answer of <c>DELETE /messages/{id}</c>.</summary>
/// <param name="Id">The message.</param>
/// <param name="Status">Always <c>canceled</c>.</param>
/// <param name="Refunded">Minor currency units returned to the available balance by this call (0 for a repeated cancel).</param>
public sealed record CancelResponse(Guid Id, string Status, long Refunded);
