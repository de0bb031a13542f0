using System.Net.Http.Headers;
using System.Text.Json;
using SmsGateway.Accounts;
using SmsGateway.Callbacks;
using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Host.Callbacks;

/// <summary>
/// Sends the status callbacks queued on <c>sms-callback</c> (issue 14, item 6): POSTs the signed body, acks on 2xx; on a
/// failure publishes the next try with its backoff and acks this one (so broker redelivery limits do not cut the 24 h
/// short); a try that is not due yet is nak'ed with the remaining delay. A crash between POST and ack repeats the POST:
/// delivery is at least once, and receivers deduplicate by (<c>id</c>, <c>status</c>).
/// </summary>
internal sealed partial class CallbackSender(IMessageTransport transport, IAccountSettingsStore accounts, CallbackLog log, CallbackOptions options,
    HttpClient http, TimeProvider time, ILogger<CallbackSender> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IMessageSubscription subscription;
        try
        {
            subscription = await transport.SubscribeAsync(Topics.Callback, options.Group,
                new SubscriptionOptions { MaxInFlight = options.Concurrency * 2, AckWait = TimeSpan.FromMilliseconds(options.TimeoutMs * 3) }, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await using (subscription)
        {
            var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(() => WorkAsync(subscription, stoppingToken), CancellationToken.None));
            await Task.WhenAll(workers);
        }
    }

    private async Task WorkAsync(IMessageSubscription subscription, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var delivery in subscription.Deliveries.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await HandleAsync(delivery, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, ex);
                    await delivery.NakAsync(TimeSpan.FromMilliseconds(options.BaseDelayMs), CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutdown: unacked callbacks are delivered again
        }
    }

    private async Task HandleAsync(IDelivery delivery, CancellationToken stoppingToken)
    {
        CallbackJob job;
        try
        {
            job = CallbackJob.Deserialize(delivery.Payload.Span);
        }
        catch (JsonException ex)
        {
            LogPoison(logger, ex);
            await delivery.AckAsync(CancellationToken.None);
            return;
        }

        var now = time.GetUtcNow();
        if (job.NotBefore is { } due && due > now)
        {
            await delivery.NakAsync(due - now, CancellationToken.None);
            return;
        }

        var (status, error) = await PostAsync(job, stoppingToken);
        now = time.GetUtcNow();
        int tryNumber = job.Tries + 1;
        if (status is >= 200 and < 300)
        {
            log.Record(job.Id, new CallbackAttempt(job.Status, tryNumber, now, "delivered", status, null, null));
        }
        else if (now - job.QueuedAt >= TimeSpan.FromHours(options.MaxAgeHours))
        {
            log.Record(job.Id, new CallbackAttempt(job.Status, tryNumber, now, "abandoned", status, error, null));
            LogAbandoned(logger, job.Id, job.Status, tryNumber);
        }
        else
        {
            var next = job with { Tries = tryNumber, NotBefore = now + options.DelayAfter(tryNumber) };
            await transport.PublishAsync(Topics.Callback, new OutgoingMessage(job.UserId, next.Serialize(), next.Key), CancellationToken.None);
            log.Record(job.Id, new CallbackAttempt(job.Status, tryNumber, now, "retrying", status, error, next.NotBefore));
        }

        await delivery.AckAsync(CancellationToken.None);
    }

    // The receiver's status, or null with a reason that names no internal address.
    private async Task<(int? Status, string? Error)> PostAsync(CallbackJob job, CancellationToken stoppingToken)
    {
        var body = job.Body();
        var settings = await accounts.GetAsync(job.UserId, stoppingToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, job.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (settings.CallbackSecret is { } secret)
        {
            request.Headers.TryAddWithoutValidation(CallbackSigner.Header, CallbackSigner.Sign(body, secret));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.TimeoutMs);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return ((int)response.StatusCode, response.IsSuccessStatusCode ? null : "receiver answered " + (int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return (null, "timeout");
        }
        catch (HttpRequestException ex)
        {
            LogPostFailed(logger, ex, job.Id);
            return (null, ex.Message.StartsWith("callback target refused", StringComparison.Ordinal) ? "target refused (non-public address)" : "connection failed");
        }
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Error, Message = "Callback delivery failed unexpectedly; nak'ed for redelivery")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Error, Message = "Undecodable callback job; dropped (acked)")]
    private static partial void LogPoison(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Warning, Message = "Callback of message {MessageId} ({Status}) abandoned after {Tries} tries")]
    private static partial void LogAbandoned(ILogger logger, Guid messageId, string status, int tries);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Information, Message = "Callback POST of message {MessageId} failed")]
    private static partial void LogPostFailed(ILogger logger, Exception exception, Guid messageId);
}
