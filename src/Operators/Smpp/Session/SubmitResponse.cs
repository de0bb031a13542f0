namespace SmsGateway.Operators.Smpp.Session;

/// <summary>What happened to one submit_sm on a bind.</summary>
internal enum SubmitState
{
    /// <summary>The SMSC answered (submit_sm_resp or generic_nack); see the command_status.</summary>
    Responded,

    /// <summary>Nothing was written: the bind was down. Safe to submit again within the same attempt.</summary>
    NotSent,

    /// <summary>Written, then the connection dropped before the answer: the SMSC may or may not have it. Never resubmitted within the attempt.</summary>
    ConnectionLost,

    /// <summary>Written, and no answer within the response timeout. Never resubmitted within the attempt.</summary>
    TimedOut,
}

/// <summary>The answer to one submit_sm.</summary>
/// <param name="State">Whether and how the SMSC answered.</param>
/// <param name="Status">command_status when <see cref="SubmitState.Responded"/>.</param>
/// <param name="MessageId">message_id of a successful submit_sm_resp.</param>
internal readonly record struct SubmitResponse(SubmitState State, uint Status = 0, string? MessageId = null);
