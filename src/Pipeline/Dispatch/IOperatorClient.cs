using SmsGateway.Model;

namespace SmsGateway.Dispatch;

/// <summary>A connection to mobile operators (an SMSC over HTTP, or the built-in simulator).</summary>
/// <remarks>Thread-safe; called concurrently up to each operator's configured concurrency.</remarks>
public interface IOperatorClient
{
    /// <summary>Submits one message to its operator (<see cref="SmsMessage.Operator"/>).</summary>
    /// <param name="message">The message, with its attempt number.</param>
    /// <param name="cancellationToken">Cancelled when the per-operator send timeout elapses or on shutdown.</param>
    /// <returns>The operator's answer. Network faults should be returned as <see cref="SendOutcome.TransientFailure"/>, not thrown.</returns>
    ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken);
}

/// <summary>Class of an operator's answer.</summary>
public enum SendOutcome
{
    /// <summary>The operator accepted the message.</summary>
    Accepted = 0,

    /// <summary>A failure worth retrying (throttled, timeout, temporary outage).</summary>
    TransientFailure = 1,

    /// <summary>A failure that retrying will not fix (unknown subscriber, barred number).</summary>
    PermanentFailure = 2,
}

/// <summary>An operator's answer to one submit.</summary>
/// <param name="Outcome">Accepted, transient or permanent failure.</param>
/// <param name="ErrorCode">Operator error code for failures, null on success.</param>
/// <param name="OperatorMessageId">The operator's id for the message (for delivery receipts), when it gives one.</param>
public readonly record struct SendResult(SendOutcome Outcome, string? ErrorCode = null, string? OperatorMessageId = null)
{
    /// <summary>A success without an operator id.</summary>
    public static SendResult Accepted { get; } = new(SendOutcome.Accepted);
}
