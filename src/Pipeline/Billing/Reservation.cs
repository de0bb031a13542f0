namespace SmsGateway.Billing;

/// <summary>A request to hold <paramref name="Amount"/> minor units for message <paramref name="MessageId"/>.</summary>
public readonly record struct Reservation(Guid MessageId, long Amount);

/// <summary>Result of one reservation.</summary>
public enum ReserveOutcome
{
    /// <summary>The amount moved from available to reserved.</summary>
    Reserved = 0,

    /// <summary>This message id was reserved (or settled) before; nothing changed.</summary>
    AlreadyReserved = 1,

    /// <summary>Available balance is lower than the amount; nothing changed.</summary>
    InsufficientFunds = 2,

    /// <summary>The caller's fencing token is older than one the ledger already accepted; nothing changed.</summary>
    StaleFencingToken = 3,
}

/// <summary>Result of a capture or refund.</summary>
public enum SettleOutcome
{
    /// <summary>The reservation was settled by this call.</summary>
    Settled = 0,

    /// <summary>It had already been settled the same way; nothing changed.</summary>
    AlreadySettled = 1,

    /// <summary>It had been settled the other way (captured vs refunded); nothing changed.</summary>
    SettledOtherwise = 2,

    /// <summary>No reservation exists for the message.</summary>
    NotReserved = 3,
}
