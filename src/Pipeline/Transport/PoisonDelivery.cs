using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SmsGateway.Transport;

/// <summary>
/// What a stage does with a delivery it cannot decode: the only poison there is (README "Durability"). It goes to the
/// transport's dead-letter store with its reason, where an operator lists and replays it (<c>/admin/dead-letters</c>).
/// </summary>
internal static class PoisonDelivery
{
    /// <summary>Dead-letters <paramref name="delivery"/>; when the store does not take it, naks it with the outage backoff.</summary>
    public static async ValueTask DeadLetterAsync(IDelivery delivery, JsonException error, PipelineOptions options, PipelineMetrics metrics, ILogger logger)
    {
        var reason = "undecodable: " + (error.Path is { Length: > 0 } path ? $"{error.Path}: " : string.Empty) + FirstLine(error.Message);
        try
        {
            await delivery.DeadLetterAsync(reason, CancellationToken.None).ConfigureAwait(false);
            metrics.PoisonDeadLettered(delivery.Topic);
            PipelineLog.PoisonDeadLettered(logger, error, delivery.Topic, delivery.DeliveryCount);
        }
        catch (TransportException ex)
        {
            var pause = OutageBackoff.For(delivery.DeliveryCount, options.OutageRetryMin, options.OutageRetryMax);
            PipelineLog.DeadLetterFailed(logger, ex, delivery.Topic, pause.TotalMilliseconds);
            metrics.OutageNak(delivery.Topic);
            await delivery.NakAsync(pause, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var line = end < 0 ? text : text[..end];
        return line.Length <= 160 ? line : line[..160];
    }
}
