namespace SmsGateway.Load.Replay;

/// <summary>Options of the replay checker.</summary>
public sealed record ReplayOptions
{
    /// <summary>Gateway base URL. Default <c>http://127.0.0.1:7070</c>.</summary>
    public Uri Url { get; init; } = new("http://127.0.0.1:7070");

    /// <summary>API key (admin: the replay charges its users); null: <c>SMSGW_API_KEY</c>, or none (open development mode).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Requests in flight at once (1..4096). Default 32.</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>How long to wait, after the last send, for every accepted message to reach a final status. Default 120 s.</summary>
    public TimeSpan FinalTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries of one request answered 429/503 (honouring Retry-After, capped at 2 s). Default 50.</summary>
    public int MaxThrottleRetries { get; init; } = 50;

    /// <summary>Accepted messages whose history is fetched from <c>/messages/{id}</c> to check "exactly one final status" (0 = none). Default 20,000.</summary>
    public int HistoryChecks { get; init; } = 20_000;

    /// <summary>Prefix for user ids and Idempotency-Keys so a file can be replayed many times against one host; empty = random.</summary>
    public string RunTag { get; init; } = "";

    /// <summary>HTTP timeout per request. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for out-of-range values.</summary>
    public ReplayOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Concurrency, 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxThrottleRetries);
        ArgumentOutOfRangeException.ThrowIfNegative(HistoryChecks);
        if (FinalTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(FinalTimeout), "must be positive");
        if (RunTag.Any(c => !char.IsAsciiLetterOrDigit(c))) throw new ArgumentOutOfRangeException(nameof(RunTag), RunTag, "letters and digits only");
        return this;
    }
}
