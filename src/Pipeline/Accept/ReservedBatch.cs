using SmsGateway.Billing;

namespace SmsGateway.Accept;

/// <summary>
/// One user's items after the fenced reservation call, on their way to the publish block: <see cref="Outcomes"/>[i] is
/// the ledger's answer for <see cref="Items"/>[i]. <see cref="Deadline"/> (the earliest item's accept deadline; null for
/// a bulk batch, and when the accept deadline is off, as with in-memory parts only) is owned by the batch and disposed
/// by the publish step.
/// </summary>
internal sealed record ReservedBatch(string UserId, List<AcceptWork> Items, ReserveOutcome[] Outcomes, CancellationTokenSource? Deadline);
