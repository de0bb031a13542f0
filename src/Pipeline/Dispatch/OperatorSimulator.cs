using SmsGateway.Model;

namespace SmsGateway.Dispatch;

/// <summary>
/// Stands in for the operators' SMSCs (which cannot run here): per-operator latency and transient / permanent failure
/// rates. Error codes follow SMPP 3.4 command_status names (ESME_RTHROTTLED for transient, ESME_RINVDSTADR for permanent).
/// </summary>
/// <remarks>Thread-safe. Permanent failure is a property of the message (hash of its id), so every retry of it fails too.</remarks>
public sealed class OperatorSimulator : IOperatorClient, IDisposable
{
    private readonly OperatorSimulatorOptions _options;
    private readonly ulong _seed;
    private readonly SimulatorSendLog? _sendLog;
    private long _sent;

    /// <summary>Creates the simulator.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="IOException"><see cref="OperatorSimulatorOptions.SendLogPath"/> cannot be opened.</exception>
    public OperatorSimulator(OperatorSimulatorOptions? options = null)
    {
        _options = (options ?? OperatorSimulatorOptions.Default).Validate();
        _seed = (ulong)(_options.Seed ?? Random.Shared.Next());
        _sendLog = _options.SendLogPath is { Length: > 0 } path ? new SimulatorSendLog(path) : null;
    }

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
            return ValueTask.FromResult(Count(message, result));
        }

        return DelayedAsync(message, latency, result, cancellationToken);
    }

    /// <summary>Closes the send log, if any.</summary>
    public void Dispose() => _sendLog?.Dispose();

    private async ValueTask<SendResult> DelayedAsync(SmsMessage message, TimeSpan latency, SendResult result, CancellationToken cancellationToken)
    {
        await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        return Count(message, result);
    }

    private SendResult Count(SmsMessage message, SendResult result)
    {
        _sendLog?.Record(message, result.Outcome);
        if (result.Outcome == SendOutcome.Accepted)
        {
            Interlocked.Increment(ref _sent);
        }

        return result;
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

        return new SendResult(SendOutcome.Accepted, null, message.Id.ToString("N"));
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
