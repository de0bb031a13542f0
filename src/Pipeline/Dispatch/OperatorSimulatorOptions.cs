namespace SmsGateway.Dispatch;

/// <summary>Behaviour of the built-in operator simulator, per operator or for all.</summary>
public sealed record OperatorSimulatorOptions
{
    /// <summary>Mean simulated SMSC latency. Zero answers synchronously (no timer). Default 0.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.Zero;

    /// <summary>Random extra latency added uniformly in [0, Jitter). Default 0.</summary>
    public TimeSpan Jitter { get; init; } = TimeSpan.Zero;

    /// <summary>Probability (0..1) that one attempt fails transiently (throttled). Default 0.</summary>
    public double TransientFailureRate { get; init; }

    /// <summary>Probability (0..1) that a message fails permanently (decided once per message id, so retries fail too). Default 0.</summary>
    public double PermanentFailureRate { get; init; }

    /// <summary>
    /// A file to which every answered submit is appended as a line (see <c>SimulatorSendLog</c>: id, attempt, outcome, time),
    /// so tests can count operator sends per message across gateway restarts; null (default) for none.
    /// </summary>
    public string? SendLogPath { get; init; }

    /// <summary>
    /// Whether accepted messages get an operator message id and, after <see cref="ReceiptDelay"/>, a delivery receipt
    /// (needs a receipt sink). Default false: no ids, no receipts (nothing to correlate).
    /// </summary>
    public bool DeliveryReceipts { get; init; }

    /// <summary>Share (0..1) of receipts that report <c>UNDELIV</c> (decided once per message id); the others report <c>DELIVRD</c>. Default 0.</summary>
    public double UndeliveredShare { get; init; }

    /// <summary>Time from the operator's answer to its receipt. Zero sends it at once, often before the dispatcher registered the id. Default 0.</summary>
    public TimeSpan ReceiptDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Seed of the failure draws; null for a random seed.</summary>
    public int? Seed { get; init; }

    /// <summary>Per-operator overrides by operator name; operators not listed use this record's values.</summary>
    public IReadOnlyDictionary<string, OperatorSimulatorOptions> PerOperator { get; init; } = new Dictionary<string, OperatorSimulatorOptions>();

    /// <summary>Shared defaults: instant success.</summary>
    public static OperatorSimulatorOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of range.</summary>
    public OperatorSimulatorOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Latency, TimeSpan.Zero, nameof(Latency));
        ArgumentOutOfRangeException.ThrowIfLessThan(Jitter, TimeSpan.Zero, nameof(Jitter));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiptDelay, TimeSpan.Zero, nameof(ReceiptDelay));
        if (UndeliveredShare is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(UndeliveredShare), "the undelivered share is a probability in [0, 1]");
        }

        if (TransientFailureRate is < 0 or > 1 || PermanentFailureRate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TransientFailureRate), "failure rates are probabilities in [0, 1]");
        }

        foreach (var o in PerOperator.Values)
        {
            o.Validate();
        }

        return this;
    }
}
