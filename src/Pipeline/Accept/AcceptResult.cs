using SmsGateway.Model;

namespace SmsGateway.Accept;

/// <summary>What happened to a send request.</summary>
public enum AcceptStatus
{
    /// <summary>Reserved and stored by the broker: the message will reach a final status (HTTP 202).</summary>
    Queued = 0,

    /// <summary>A field is missing or invalid, or the number has no route; nothing charged (HTTP 400).</summary>
    Invalid = 1,

    /// <summary>The user's available balance does not cover the price; recorded as <c>rejected</c>, nothing charged (HTTP 402).</summary>
    InsufficientBalance = 2,

    /// <summary>The accept queue is full; nothing charged, try again later (HTTP 429).</summary>
    Saturated = 3,

    /// <summary>A dependency (lock, ledger, broker) failed; nothing charged (HTTP 503).</summary>
    Unavailable = 4,

    /// <summary>Reserved and stored in the schedule store; published at its <c>send_at</c> (HTTP 202, status <c>scheduled</c>).</summary>
    Scheduled = 5,
}

/// <summary>The answer to one send request.</summary>
/// <param name="Status">The outcome.</param>
/// <param name="Message">The priced message (for <see cref="AcceptStatus.Queued"/> and <see cref="AcceptStatus.InsufficientBalance"/>).</param>
/// <param name="Errors">Field name → problems, for <see cref="AcceptStatus.Invalid"/>.</param>
/// <param name="Detail">Human-readable reason for failures.</param>
public sealed record AcceptResult(AcceptStatus Status, SmsMessage? Message = null, IReadOnlyDictionary<string, string[]>? Errors = null, string? Detail = null)
{
    /// <summary>
    /// True for an <see cref="AcceptStatus.Unavailable"/> answered at once by an open circuit, without calling any
    /// dependency (README "Admission control and fail-fast"). The circuit's opening was logged once (event 7100); the host
    /// logs such refusals at Debug, so an outage under load does not write one warning per request.
    /// </summary>
    public bool FailFast { get; init; }

    /// <summary>An <see cref="AcceptStatus.Invalid"/> result.</summary>
    public static AcceptResult Invalid(IReadOnlyDictionary<string, string[]> errors) => new(AcceptStatus.Invalid, Errors: errors, Detail: "the request has invalid fields");

    /// <summary>An <see cref="AcceptStatus.Unavailable"/> result.</summary>
    public static AcceptResult Unavailable(string detail, SmsMessage? message = null) => new(AcceptStatus.Unavailable, message, Detail: detail);
}
