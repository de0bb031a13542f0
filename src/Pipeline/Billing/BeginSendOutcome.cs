namespace SmsGateway.Billing;

/// <summary>What <see cref="IBalanceLedger.BeginSendAsync"/> found in a message's reservation, and what dispatch does with it.</summary>
public enum BeginSendOutcome
{
    /// <summary>Reserved, and this attempt had not started: it is now recorded as started. Send it.</summary>
    Send = 0,

    /// <summary>Captured already (an earlier delivery sent it and settled): do not send; ack.</summary>
    AlreadyCaptured = 1,

    /// <summary>Refunded (failed, canceled, expired or swept): never send; make sure a final status exists; ack.</summary>
    Refunded = 2,

    /// <summary>
    /// Reserved, and this very attempt was started before by a delivery that has not settled it. Either that delivery is
    /// still under way (a second copy of the message met it: the broker redelivered it, or a frame holding it was
    /// published twice), or it never will settle (its dispatcher crashed, or lost its ack, between the operator's answer
    /// and the capture). <see cref="BeginSendResult.StartedAgo"/> tells them apart: dispatch waits while the first send
    /// may still be settling, and only then sends again. That resend is the documented at-least-once window
    /// (README "Durability"): at most once more per crash.
    /// </summary>
    AttemptStarted = 3,

    /// <summary>No reservation exists (never reserved, or settled so long ago that its record expired): never send.</summary>
    NotReserved = 4,

    /// <summary>
    /// A later attempt of this message has started (<see cref="BeginSendResult.StartedAttempt"/> is above this one): this is
    /// a stale redelivery of an attempt that already failed over to its retry (a lost ack, or a consumer group rebalance).
    /// Never send, report nothing (the later attempt owns the message's statuses); ack.
    /// </summary>
    Superseded = 5,
}

/// <summary>Result of <see cref="IBalanceLedger.BeginSendAsync"/>.</summary>
/// <param name="Outcome">What the reservation held.</param>
/// <param name="OperatorMessageId">The operator's message id recorded at capture (<c>o</c>), when known; null otherwise.</param>
/// <param name="StartedAttempt">The attempt (1-based) whose send had started before this call (<c>n</c>); 0 when none had.</param>
/// <param name="StartedAgo">
/// For <see cref="BeginSendOutcome.AttemptStarted"/>: how long before this call the attempt was recorded as started, by the
/// ledger's own clock (the Redis server's <c>TIME</c>, so every dispatcher measures against one clock; field <c>t</c>).
/// Null for the other outcomes, and when the start was recorded without a time (by a version before this field).
/// </param>
public readonly record struct BeginSendResult(BeginSendOutcome Outcome, string? OperatorMessageId = null, int StartedAttempt = 0, TimeSpan? StartedAgo = null);
