namespace SmsGateway.Load.SelfTest;

/// <summary>Faults the fake gateway can inject so the self-test proves the checks and thresholds catch them.</summary>
public sealed record FakeFaults
{
    /// <summary>Failed messages are not refunded (the ledger keeps them reserved→spent).</summary>
    public bool SkipRefund { get; init; }

    /// <summary>Requests with an unknown type are accepted and queued instead of rejected.</summary>
    public bool AcceptUnknownType { get; init; }

    /// <summary>Extra delay added to every <c>/send</c>, in milliseconds.</summary>
    public int SendDelayMs { get; init; }

    /// <summary>When positive, every <c>/send</c> holds one global lock for this many milliseconds (a server with a fixed capacity of 1000/N req/s).</summary>
    public int SerializeSendsMs { get; init; }

    /// <summary>Share of messages that fail permanently (0..1).</summary>
    public double PermanentFailure { get; init; } = 0.02;

    /// <summary>Share of send attempts that fail transiently (0..1).</summary>
    public double TransientFailure { get; init; } = 0.1;
}
