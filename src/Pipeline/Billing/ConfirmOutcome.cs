namespace SmsGateway.Billing;

/// <summary>Result of confirming that one message's reservation belongs to a durably stored message (<see cref="IBalanceLedger.ConfirmAsync"/>).</summary>
public enum ConfirmOutcome
{
    /// <summary>The reservation is held and now marked stored; the expiry sweep never refunds it.</summary>
    Confirmed = 0,

    /// <summary>It was already captured or refunded by dispatch (which may run before the confirm); nothing changed.</summary>
    AlreadySettled = 1,

    /// <summary>
    /// The expiry sweep refunded it before this confirm: the message is stored but unpaid, so dispatch must never send it
    /// (it sees the refund and fails the message). Happens only when a confirm came later than the confirm deadline.
    /// </summary>
    Expired = 2,

    /// <summary>No reservation exists for the message.</summary>
    NotReserved = 3,
}
