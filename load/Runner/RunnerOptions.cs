namespace SmsGateway.Load.Runner;

/// <summary>Options shared by every scenario of a run.</summary>
public sealed record RunnerOptions
{
    /// <summary>Gateway base URL. Default <c>http://127.0.0.1:7070</c>.</summary>
    public Uri Url { get; init; } = new("http://127.0.0.1:7070/");

    /// <summary>Open-model scheduler: below this many µs before an arrival it yield-spins instead of sleeping (0 = always sleep 1 ms; cheaper, up to ~1 ms late). Default 1500.</summary>
    public int SpinMicros { get; init; } = 1500;

    /// <summary>Amount charged to each load user before a scenario (minor units). Default 1,000,000,000.</summary>
    public long ChargePerUser { get; init; } = 1_000_000_000;

    /// <summary>Prefix making user ids unique per run (letters/digits).</summary>
    public string Tag { get; init; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6];

    /// <summary>HTTP timeout per request. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Print a live progress line. Default true.</summary>
    public bool Progress { get; init; } = true;
}
