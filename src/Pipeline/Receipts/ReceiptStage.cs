using Microsoft.Extensions.Logging;
using SmsGateway.Status;
using SmsGateway.Transport;

namespace SmsGateway.Receipts;

/// <summary>
/// Publishes the correlator's matched receipts as status events on <c>sms-status</c>, so that they reach the status store
/// and the reports like every other status change. Runs with the dispatcher role.
/// </summary>
internal sealed class ReceiptStage(ReceiptCorrelator receipts, StatusPublisher status, ILogger logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Stops after publishing the matches already queued (a broker that stays down leaves them unpublished once cancelled).</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        while (receipts.Matches.TryRead(out var match))
        {
            await PublishAsync(match, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var match in receipts.Matches.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await PublishAsync(match, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // stopping: StopAsync publishes what is left
        }
    }

    private async ValueTask PublishAsync(MatchedReceipt match, CancellationToken token)
    {
        var e = match.ToStatusEvent();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await status.PublishAsync(e, match.Message.CallbackUrl, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (TransportException ex)
            {
                PipelineLog.ReceiptPublishFailed(logger, ex, e.MessageId, attempt);
                if (token.IsCancellationRequested && attempt >= 3)
                {
                    return;
                }

                await Task.Delay(RetryDelay, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
