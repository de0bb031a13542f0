using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Dispatch;
using SmsGateway.Model;

namespace SmsGateway.Receipts;

/// <summary>
/// Matches delivery receipts to messages through the operator message id (issue 14, item 3): the dispatcher
/// <see cref="RegisterAsync"/>s each id an operator returned in its answer, operator clients hand receipts to
/// <see cref="OnReceiptAsync"/>, and each match is queued on <see cref="Matches"/> for the pipeline to publish as a
/// <c>delivered</c> / <c>undelivered</c> status event. A receipt that arrives before its id is registered (an SMSC may
/// send it before <c>submit_sm_resp</c>) is parked and matched when the id comes.
/// </summary>
/// <remarks>
/// Thread-safe. Ids are kept for <see cref="ReceiptOptions.Ttl"/>, parked receipts for <see cref="ReceiptOptions.ParkTtl"/>,
/// both bounded in number. The maps live in this process: the receipt must reach the dispatcher that sent the message
/// (an SMSC answers on the binds of the ESME that submitted, which this process holds).
/// </remarks>
public sealed partial class ReceiptCorrelator : IDeliveryReceiptSink, IDisposable
{
    private readonly ReceiptOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Operator, string Id), (SmsMessage Message, long ExpiresAt)> _sent = [];
    private readonly Dictionary<(string Operator, string Id), (DeliveryReceipt Receipt, long ExpiresAt)> _parked = [];
    private readonly Channel<MatchedReceipt> _matches;
    private readonly ITimer _sweep;

    /// <summary>Creates the correlator and starts its expiry sweep.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ReceiptCorrelator(ReceiptOptions? options = null, TimeProvider? timeProvider = null, ILogger<ReceiptCorrelator>? logger = null)
    {
        _options = (options ?? ReceiptOptions.Default).Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _matches = Channel.CreateBounded<MatchedReceipt>(new BoundedChannelOptions(_options.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        _sweep = _time.CreateTimer(_ => Sweep(), null, _options.SweepInterval, _options.SweepInterval);
    }

    /// <summary>Matched receipts in arrival order, read by the pipeline's dispatcher role.</summary>
    public ChannelReader<MatchedReceipt> Matches => _matches.Reader;

    /// <summary>Sent messages awaiting a receipt.</summary>
    public int Tracked
    {
        get
        {
            lock (_gate)
            {
                return _sent.Count;
            }
        }
    }

    /// <summary>Receipts waiting for their operator message id.</summary>
    public int Parked
    {
        get
        {
            lock (_gate)
            {
                return _parked.Count;
            }
        }
    }

    /// <summary>Remembers that <paramref name="operatorName"/> accepted <paramref name="message"/> as <paramref name="operatorMessageId"/>; matches a receipt parked for that id at once.</summary>
    /// <returns>A task that completes once a match (if any) is queued.</returns>
    public ValueTask RegisterAsync(string operatorName, string operatorMessageId, SmsMessage message, CancellationToken cancellationToken)
    {
        var key = (operatorName.ToUpperInvariant(), operatorMessageId);
        var kept = message with { Text = string.Empty };
        DeliveryReceipt receipt;
        lock (_gate)
        {
            if (!_parked.Remove(key, out var parked))
            {
                if (_sent.Count >= _options.MaxTracked && !_sent.ContainsKey(key))
                {
                    LogTrackingFull(_logger, message.Id, _options.MaxTracked);
                    return ValueTask.CompletedTask;
                }

                _sent[key] = (kept, Deadline(_options.Ttl));
                return ValueTask.CompletedTask;
            }

            receipt = parked.Receipt;
        }

        return _matches.Writer.WriteAsync(new MatchedReceipt(kept, receipt), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Unknown ids are parked for <see cref="ReceiptOptions.ParkTtl"/>; the returned task completes when the match is queued (it waits only while the match queue is full).</remarks>
    public ValueTask OnReceiptAsync(DeliveryReceipt receipt, CancellationToken cancellationToken)
    {
        var key = (receipt.Operator.ToUpperInvariant(), receipt.OperatorMessageId);
        SmsMessage message;
        lock (_gate)
        {
            if (!_sent.Remove(key, out var sent))
            {
                if (_parked.Count >= _options.MaxParked && !_parked.ContainsKey(key))
                {
                    LogParkingFull(_logger, receipt.Operator, receipt.OperatorMessageId, _options.MaxParked);
                    return ValueTask.CompletedTask;
                }

                _parked[key] = (receipt, Deadline(_options.ParkTtl));
                return ValueTask.CompletedTask;
            }

            message = sent.Message;
        }

        return _matches.Writer.WriteAsync(new MatchedReceipt(message, receipt), cancellationToken);
    }

    /// <summary>Removes expired ids and parked receipts now (the timer calls this every <see cref="ReceiptOptions.SweepInterval"/>).</summary>
    public void Sweep()
    {
        long now = _time.GetTimestamp();
        int expiredIds = 0, expiredReceipts = 0;
        lock (_gate)
        {
            foreach (var (key, entry) in _sent)
            {
                if (entry.ExpiresAt <= now && _sent.Remove(key))
                {
                    expiredIds++;
                }
            }

            foreach (var (key, entry) in _parked)
            {
                if (entry.ExpiresAt <= now && _parked.Remove(key))
                {
                    expiredReceipts++;
                }
            }
        }

        if (expiredIds + expiredReceipts > 0)
        {
            LogExpired(_logger, expiredIds, expiredReceipts);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _sweep.Dispose();

    private long Deadline(TimeSpan ttl) => _time.GetTimestamp() + (long)(ttl.TotalSeconds * _time.TimestampFrequency);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning, Message = "Receipt tracking is full ({Max} ids); message {MessageId} will not get a delivery status")]
    private static partial void LogTrackingFull(ILogger logger, Guid messageId, int max);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "Receipt for {Operator} id {OperatorMessageId} arrived before its id and {Max} receipts are already parked; dropped")]
    private static partial void LogParkingFull(ILogger logger, string @operator, string operatorMessageId, int max);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Information, Message = "Receipt correlation expired {Ids} operator message ids without a receipt and {Receipts} receipts without an id")]
    private static partial void LogExpired(ILogger logger, int ids, int receipts);
}
