using SmsGateway.Dispatch;
using SmsGateway.Model;

namespace SmsGateway.Receipts;

/// <summary>A delivery receipt and the message it belongs to, ready to become a status event.</summary>
/// <param name="Message">The message as it was sent (its text dropped).</param>
/// <param name="Receipt">The operator's receipt.</param>
public readonly record struct MatchedReceipt(SmsMessage Message, DeliveryReceipt Receipt)
{
    /// <summary>
    /// The status event: <c>delivered</c> or <c>undelivered</c> for the attempt that was sent, at the receipt's done date,
    /// with the SMSC's <c>stat</c> and <c>err</c> kept in the error code as <c>STAT:err</c> (for example <c>UNDELIV:013</c>).
    /// </summary>
    public StatusEvent ToStatusEvent()
    {
        var status = Receipt.Outcome == ReceiptOutcome.Delivered ? MessageStatus.Delivered : MessageStatus.Undelivered;
        string? code = (Receipt.Stat, Receipt.ErrorCode) switch
        {
            (null, null) => null,
            (var stat, null) => stat,
            (null, var err) => ":" + err,
            var (stat, err) => stat + ":" + err,
        };
        return StatusEvent.For(Message, status, Receipt.DoneAt, code);
    }
}
