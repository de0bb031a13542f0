namespace SmsGateway.Billing;

/// <summary>Which way a reservation is settled (DESIGN.md "Money").</summary>
public enum SettleKind
{
    /// <summary>Capture: reserved → spent (the operator accepted the message).</summary>
    Capture = 0,

    /// <summary>Refund: reserved → available (failed, expired, canceled).</summary>
    Refund = 1,
}
