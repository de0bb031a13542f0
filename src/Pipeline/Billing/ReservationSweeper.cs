using Microsoft.Extensions.Logging;
using Polly;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Billing;

/// <summary>
/// The expiry sweep of the gateway role: every <see cref="ReservationOptions.SweepInterval"/> it asks the ledger to refund the
/// reservations still unconfirmed <see cref="ReservationOptions.ConfirmDeadline"/> after they were made
/// (<see cref="IBalanceLedger.SweepExpiredAsync"/>, in batches of <see cref="ReservationOptions.SweepBatchSize"/>), counts them
/// (<c>sms.reservations.expired</c>) and publishes a <c>rejected</c> status with reason <c>reservation_expired</c> for each, so
/// the report of a message whose outcome was unknown ends final. These are reserves that committed after the client's timeout
/// (answered 503), whose message was never published (crash between reserve and publish) or whose publish failed and whose
/// compensating refund failed too, and stored messages whose confirm was lost. Every gateway process sweeps; the ledger makes
/// concurrent sweeps refund each reservation once.
/// </summary>
/// <remarks>One loop task; a failed sweep is logged and tried again at the next tick, so the loop never ends before <see cref="StopAsync"/>.</remarks>
internal sealed class ReservationSweeper
{
    /// <summary>Reason code of the <c>rejected</c> status the sweep publishes.</summary>
    public const string ExpiredReason = "reservation_expired";

    private readonly IBalanceLedger _ledger;
    private readonly StatusPublisher _status;
    private readonly PipelineMetrics _metrics;
    private readonly ReservationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _publishRetry;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public ReservationSweeper(IBalanceLedger ledger, StatusPublisher status, PipelineMetrics metrics, ReservationOptions options,
        TimeProvider time, ILogger logger)
    {
        _ledger = ledger;
        _status = status;
        _metrics = metrics;
        _options = options;
        _time = time;
        _logger = logger;
        _publishRetry = ReservationConfirmer.LedgerRetry(options, time, logger, "publish reservation_expired");
    }

    /// <summary>Starts the loop (first sweep one interval from now).</summary>
    public void Start()
    {
        // Created here, not in the loop task, so the first tick is one interval after Start on any clock (tests advance a fake one).
        var timer = new PeriodicTimer(_options.SweepInterval, _time);
        _loop = Task.Run(() => RunAsync(timer, _stop.Token));
    }

    /// <summary>Stops the loop; waits for a sweep in progress to end (its ledger calls are cancelled).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>One sweep: refunds every due reservation, batch after batch; returns how many were refunded.</summary>
    /// <exception cref="LedgerUnavailableException">The ledger could not be reached (what was refunded before stays refunded).</exception>
    internal async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        int refunded = 0;
        while (true)
        {
            var sweep = await _ledger.SweepExpiredAsync(_options.ConfirmDeadline, _options.SweepBatchSize, cancellationToken).ConfigureAwait(false);
            if (sweep.Refunded.Count > 0)
            {
                refunded += sweep.Refunded.Count;
                _metrics.ReservationsExpired(sweep.Refunded.Count);
                var publishes = new Task[sweep.Refunded.Count];
                for (int i = 0; i < publishes.Length; i++)
                {
                    var r = sweep.Refunded[i];
                    ReservationLog.ReservationExpired(_logger, r.MessageId, r.UserId, r.Amount, r.ReservedAt);
                    publishes[i] = PublishRejectedAsync(r, cancellationToken);
                }

                await Task.WhenAll(publishes).ConfigureAwait(false);
            }

            if (sweep.Examined < _options.SweepBatchSize)
            {
                return refunded;
            }
        }
    }

    private async Task RunAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        using var owned = timer;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await SweepAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    ReservationLog.SweepFailed(_logger, ex, _options.SweepInterval.TotalMilliseconds);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopped
        }
    }

    // The sweep knows the message only by its reservation: the event carries the user, the amount (as cost) and the reserve
    // time (as accept time). A store that already has the message keeps its descriptive fields from the earlier event
    // (docs/architecture.md); the rejected status (attempt 0) outranks queued, and a later attempt's failed outranks it.
    private async Task PublishRejectedAsync(ExpiredReservation r, CancellationToken cancellationToken)
    {
        var e = new StatusEvent(r.MessageId, r.UserId, MessageStatus.Rejected, 0, _time.GetUtcNow(), string.Empty, string.Empty,
            MessageType.Normal, SmsEncoding.Gsm7, 0, r.Amount, r.ReservedAt, ExpiredReason);
        try
        {
            await _publishRetry.ExecuteAsync(static (s, ct) => s.Status.PublishAsync(s.Event, ct), (Status: _status, Event: e), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Transport.TransportException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            ReservationLog.ExpiredStatusFailed(_logger, ex, r.MessageId);
        }
    }
}
