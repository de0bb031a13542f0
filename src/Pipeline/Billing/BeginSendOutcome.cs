namespace SmsGateway.Billing;

/// <summary>
/// Result of <see cref="IBalanceLedger.BeginSendAsync"/>: whether the dispatcher may hand an attempt to the operator.
/// Names as in the round's contract for the dispatch "begin send" step (reservation fields <c>n</c> and <c>k</c>).
/// </summary>
public enum BeginSendOutcome
{
    /// <summary>The attempt is marked as started; send it. A cancel from now on answers <see cref="CancelOutcome.SendingStarted"/>.</summary>
    Send = 0,

    /// <summary>The message was captured already (sent by an earlier delivery): acknowledge, do not send.</summary>
    AlreadyCaptured = 1,

    /// <summary>The reservation was refunded (canceled, expired or failed): never send; the refunder published the final status.</summary>
    Refunded = 2,

    /// <summary>This attempt was started before with an unknown outcome (a redelivery after a crash): sending again is the documented at-least-once window.</summary>
    AttemptStarted = 3,
}
