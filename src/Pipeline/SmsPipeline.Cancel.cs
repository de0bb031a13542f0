using SmsGateway.Billing;
using SmsGateway.Model;
using SmsGateway.Scheduling;
using SmsGateway.Status;
using SmsGateway.Transport;

namespace SmsGateway;

/// <summary>Cancel of scheduled and queued messages (README "Scheduling, validity and cancel").</summary>
public sealed partial class SmsPipeline
{
    /// <summary>
    /// Finds a message to cancel: in the schedule store first (written before <c>/send</c> answered), then in the status store
    /// (reached within <see cref="PipelineOptions.QueuedEventDelay"/> and a status batch age of accept), then among the
    /// <c>queued</c> events this process still holds. Null when none knows it.
    /// </summary>
    /// <exception cref="ScheduleStoreUnavailableException">The schedule store could not be reached.</exception>
    /// <exception cref="StatusStoreUnavailableException">The status store could not be reached.</exception>
    public async Task<CancelTarget?> FindForCancelAsync(Guid messageId, CancellationToken cancellationToken)
    {
        var entry = await _schedule.FindAsync(messageId, cancellationToken).ConfigureAwait(false);
        var history = entry is { Released: false } ? null : await _store.GetMessageAsync(messageId, null, cancellationToken).ConfigureAwait(false);
        if (entry is not null)
        {
            return new CancelTarget(entry.Message, entry.Released ? history?.Message.Status ?? MessageStatus.Queued : MessageStatus.Scheduled);
        }

        if (history is null)
        {
            return _implied is { } implied && implied.TryGet(messageId, out var held)
                ? new CancelTarget(new SmsMessage(held.MessageId, held.UserId, held.Msisdn, string.Empty, held.Type, held.Operator, held.Encoding, held.Segments, held.Cost, held.AcceptedAt), MessageStatus.Queued)
                : null;
        }

        var m = history.Message;
        return new CancelTarget(new SmsMessage(m.Id, m.UserId, m.Msisdn, string.Empty, m.Type, m.Operator, m.Encoding, m.Segments, m.Cost, m.AcceptedAt), m.Status);
    }

    /// <summary>
    /// Cancels <paramref name="message"/> if its sending has not started: removes it from the schedule store (never released
    /// then), and refunds its reservation through <see cref="IBalanceLedger.CancelAsync"/>, which excludes the dispatcher's
    /// begin-send (one winner). On <see cref="CancelOutcome.Canceled"/> it publishes <c>canceled</c> (final, with its callback).
    /// </summary>
    /// <returns>The ledger's answer.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger could not be reached; nothing changed in it (a removed schedule entry is refunded by a repeat).</exception>
    /// <exception cref="ScheduleStoreUnavailableException">The schedule store could not be reached; nothing changed.</exception>
    public async Task<CancelOutcome> CancelAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _schedule.RemoveAsync(message.Id, cancellationToken).ConfigureAwait(false);
        var outcome = await _ledger.CancelAsync(message.UserId, message.Id, cancellationToken).ConfigureAwait(false);
        SchedulingLog.Cancel(_logger, message.Id, message.UserId, outcome);
        if (outcome == CancelOutcome.Canceled)
        {
            var canceled = StatusEvent.For(message, MessageStatus.Canceled, _time.GetUtcNow(), "canceled", attempt: 0);
            try
            {
                await _status.PublishAsync(canceled, message.CallbackUrl, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TransportException ex)
            {
                // The refund stands (the ledger decided); only the report lags until the status is published by a repeat.
                PipelineLog.StatusPublishFailed(_logger, ex, message.Id, canceled.Status.ToWireName());
            }
        }

        return outcome;
    }
}
