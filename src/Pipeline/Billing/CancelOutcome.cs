namespace SmsGateway.Billing;

/// <summary>Result of <see cref="IBalanceLedger.CancelAsync"/> (docs: README "Scheduling, validity and cancel").</summary>
public enum CancelOutcome
{
    /// <summary>The reservation was still open and no send had started: refunded by this call (HTTP 200, status <c>canceled</c>).</summary>
    Canceled = 0,

    /// <summary>An operator send of the message has started, or it was captured: nothing changed (HTTP 409).</summary>
    SendingStarted = 1,

    /// <summary>The reservation had already been refunded (canceled, expired or failed before); nothing changed.</summary>
    AlreadySettled = 2,

    /// <summary>No reservation exists for the message (never charged, or settled longer ago than the ledger keeps it).</summary>
    NotReserved = 3,
}
