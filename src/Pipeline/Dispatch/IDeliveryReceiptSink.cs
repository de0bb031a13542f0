namespace SmsGateway.Dispatch;

/// <summary>
/// Receives delivery receipts from operator clients and turns them into status events (<c>delivered</c> /
/// <c>undelivered</c> on <c>sms-status</c>), correlating each through its operator message id.
/// </summary>
/// <remarks>
/// Called from an operator client's read loop, possibly concurrently from several binds: implementations are
/// thread-safe and return quickly (they queue, they do not wait on a broker). A receipt that arrives before the
/// <c>submit_sm_resp</c> carrying its id is still matched once the id is known (for a bounded time).
/// </remarks>
public interface IDeliveryReceiptSink
{
    /// <summary>Hands one receipt over.</summary>
    /// <param name="receipt">The parsed receipt.</param>
    /// <param name="cancellationToken">Cancelled on shutdown.</param>
    /// <returns>Completes once the receipt is queued; the operator client may then answer <c>deliver_sm_resp</c>.</returns>
    ValueTask OnReceiptAsync(DeliveryReceipt receipt, CancellationToken cancellationToken);
}
