namespace SmsGateway.Load.Runner;

/// <summary>Options shared by every scenario of a run.</summary>
public sealed record RunnerOptions
{
    /// <summary>Gateway base URL. Default <c>http://127.0.0.1:7070</c>.</summary>
    public Uri Url { get; init; } = new("http://127.0.0.1:7070/");

    /// <summary>Open-model scheduler: it sleeps (clock_nanosleep) until this many µs before an arrival, then yield-spins. Values below
    /// <see cref="PreciseSleep.SpinWindowMicros"/> mean that minimum. Default 120; wider windows cost client CPU that the gateway under test shares.</summary>
    public int SpinMicros { get; init; } = PreciseSleep.SpinWindowMicros;

    /// <summary>Amount charged to each load user before a scenario (minor units). Default 1,000,000,000.</summary>
    public long ChargePerUser { get; init; } = 1_000_000_000;

    /// <summary>Prefix making user ids unique per run (letters/digits).</summary>
    public string Tag { get; init; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6];

    /// <summary>API key (admin: the runner charges its users); null: <c>SMSGW_API_KEY</c>, or none (open development mode).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Send each load user's messages with its own client API key (issued with the admin key), so per-account limits apply.</summary>
    public bool ClientKeys { get; init; }

    /// <summary>HTTP timeout per request. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Print a live progress line. Default true.</summary>
    public bool Progress { get; init; } = true;
}
