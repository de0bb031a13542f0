using SmsGateway.Model;

namespace SmsGateway.Dispatch;

/// <summary>
/// Stands in for the operators' SMSCs (which cannot run here): per-operator latency and transient / permanent failure
/// rates. Error codes follow SMPP 3.4 command_status names (ESME_RTHROTTLED for transient, ESME_RINVDSTADR for permanent).
/// </summary>
/// <remarks>
/// Thread-safe. Permanent failure is a property of the message (hash of its id), so every retry of it fails too. With
/// <see cref="OperatorSimulatorOptions.DeliveryReceipts"/>, each accepted message gets an operator message id and a
/// receipt (<c>DELIVRD</c>, or <c>UNDELIV</c> err <c>001</c> for <see cref="OperatorSimulatorOptions.UndeliveredShare"/> of
/// the messages, also decided by the id) handed to the receipt sink after the receipt delay; a message whose
/// <see cref="SmsMessage.ValidUntil"/> passes before that gets <c>EXPIRED</c> err <c>000</c>, as from an SMSC given its validity period.
/// </remarks>
public sealed class OperatorSimulator : IOperatorClient, IDisposable
{
    private readonly OperatorSimulatorOptions _options;
    private readonly IDeliveryReceiptSink? _receipts;
    private readonly ulong _seed;
    private readonly SimulatorSendLog? _sendLog;
    private long _sent;
    private long _receiptsSent;

    /// <summary>Creates the simulator.</summary>
    /// <param name="options">Behaviour; instant success when null.</param>
    /// <param name="receipts">Where receipts go when <see cref="OperatorSimulatorOptions.DeliveryReceipts"/> is set (for one operator or all).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Receipts are enabled but <paramref name="receipts"/> is null.</exception>
    /// <exception cref="IOException"><see cref="OperatorSimulatorOptions.SendLogPath"/> cannot be opened.</exception>
    public OperatorSimulator(OperatorSimulatorOptions? options = null, IDeliveryReceiptSink? receipts = null)
    {
        _options = (options ?? OperatorSimulatorOptions.Default).Validate();
        _seed = (ulong)(_options.Seed ?? Random.Shared.Next());
        _receipts = receipts;
        if (receipts is null && (_options.DeliveryReceipts || _options.PerOperator.Values.Any(o => o.DeliveryReceipts)))
        {
            throw new ArgumentException("delivery receipts are enabled but no receipt sink was given", nameof(receipts));
        }

        _sendLog = _options.SendLogPath is { Length: > 0 } path ? new SimulatorSendLog(path) : null;
    }

    /// <summary>Receipts handed to the sink so far.</summary>
    public long ReceiptsSent => Interlocked.Read(ref _receiptsSent);

    /// <summary>Messages accepted so far (all operators).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <inheritdoc />
    public ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        var o = _options.PerOperator.GetValueOrDefault(message.Operator, _options);
        var latency = o.Latency + (o.Jitter > TimeSpan.Zero ? o.Jitter * Random.Shared.NextDouble() : TimeSpan.Zero);
        var result = Decide(message, o);
        if (latency <= TimeSpan.Zero)
        {
            return ValueTask.FromResult(Count(message, o, result));
        }

        return DelayedAsync(message, o, latency, result, cancellationToken);
    }

    /// <summary>Closes the send log, if any.</summary>
    public void Dispose() => _sendLog?.Dispose();

    private async ValueTask<SendResult> DelayedAsync(SmsMessage message, OperatorSimulatorOptions o, TimeSpan latency, SendResult result, CancellationToken cancellationToken)
    {
        await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        return Count(message, o, result);
    }

    private SendResult Count(SmsMessage message, OperatorSimulatorOptions o, SendResult result)
    {
        _sendLog?.Record(message, result.Outcome);
        if (result.Outcome != SendOutcome.Accepted)
        {
            return result;
        }

        Interlocked.Increment(ref _sent);
        if (!o.DeliveryReceipts || _receipts is null)
        {
            return SendResult.Accepted;
        }

        // The attempt is part of the id, as with an SMSC that gives every submit its own id.
        string id = message.Id.ToString("N") + "-" + message.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        bool undelivered = o.UndeliveredShare > 0 && Unit(message.Id, 0x5EED) < o.UndeliveredShare;
        var doneAt = DateTimeOffset.UtcNow + o.ReceiptDelay;
        // As an SMSC does with the validity period it was given: not delivered within it → an EXPIRED receipt.
        bool expired = message.ValidUntil is { } validUntil && doneAt > validUntil;
        var receipt = expired
            ? new DeliveryReceipt(message.Operator, id, ReceiptOutcome.Undelivered, "EXPIRED", "000", doneAt)
            : new DeliveryReceipt(message.Operator, id, undelivered ? ReceiptOutcome.Undelivered : ReceiptOutcome.Delivered,
                undelivered ? "UNDELIV" : "DELIVRD", undelivered ? "001" : "000", doneAt);
        _ = SendReceiptAsync(receipt, o.ReceiptDelay);
        return new SendResult(SendOutcome.Accepted, null, id);
    }

    private async Task SendReceiptAsync(DeliveryReceipt receipt, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay).ConfigureAwait(false);
        }
        else
        {
            await Task.Yield(); // after the answer, as an SMSC's receipt follows its submit_sm_resp
        }

        await _receipts!.OnReceiptAsync(receipt, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref _receiptsSent);
    }

    private SendResult Decide(SmsMessage message, OperatorSimulatorOptions o)
    {
        if (o.PermanentFailureRate > 0 && Unit(message.Id, 0) < o.PermanentFailureRate)
        {
            return new SendResult(SendOutcome.PermanentFailure, "ESME_RINVDSTADR");
        }

        if (o.TransientFailureRate > 0 && Unit(message.Id, (ulong)message.Attempt) < o.TransientFailureRate)
        {
            return new SendResult(SendOutcome.TransientFailure, "ESME_RTHROTTLED");
        }

        return SendResult.Accepted;
    }

    // A deterministic draw in [0, 1) per (seed, message, salt): SplitMix64 over the id's bits.
    private double Unit(Guid id, ulong salt)
    {
        Span<byte> b = stackalloc byte[16];
        id.TryWriteBytes(b);
        ulong x = BitConverter.ToUInt64(b) ^ BitConverter.ToUInt64(b[8..]) ^ _seed ^ (salt * 0x9E3779B97F4A7C15UL);
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (x >> 11) * (1.0 / (1UL << 53));
    }
}
