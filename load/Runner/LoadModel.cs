namespace SmsGateway.Load.Runner;

/// <summary>
/// How load is applied. <c>open</c>: requests arrive on a schedule (<see cref="Stages"/>) whatever the server does, and each latency is
/// measured from its intended start, so queueing in the client or server is never hidden (no coordinated omission).
/// <c>closed</c>: <see cref="Concurrency"/> virtual users each send, wait for the answer, and send again, for <see cref="Duration"/>.
/// </summary>
public sealed record LoadModel
{
    /// <summary><c>open</c> or <c>closed</c>.</summary>
    public string Kind { get; init; } = "open";

    /// <summary>Arrival-rate stages of an open model.</summary>
    public IReadOnlyList<RateStage> Stages { get; init; } = [];

    /// <summary>Virtual users of a closed model.</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>Length of a closed model run.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most requests in flight in an open model; when reached the schedule keeps running late and the lateness shows in the latencies. Default 10,000.</summary>
    public int MaxInFlight { get; init; } = 10_000;

    /// <summary>Total planned length.</summary>
    public TimeSpan TotalDuration => Kind == "closed" ? Duration : Stages.Aggregate(TimeSpan.Zero, (a, s) => a + s.Duration);

    /// <summary>An open model at a constant rate.</summary>
    public static LoadModel ConstantRate(double rate, TimeSpan duration) => new() { Kind = "open", Stages = [RateStage.Constant(rate, duration)] };

    /// <summary>A closed model.</summary>
    public static LoadModel Closed(int concurrency, TimeSpan duration) => new() { Kind = "closed", Concurrency = concurrency, Duration = duration };

    /// <summary>Throws <see cref="ArgumentException"/> when the model cannot run.</summary>
    public LoadModel Validate()
    {
        if (Kind is not ("open" or "closed")) throw new ArgumentException($"model kind '{Kind}' is not open or closed");
        if (Kind == "open" && (Stages.Count == 0 || Stages.Any(s => s.Duration <= TimeSpan.Zero || s.StartRate < 0 || s.EndRate < 0)))
            throw new ArgumentException("an open model needs stages with positive durations and non-negative rates");
        if (Kind == "closed" && (Concurrency < 1 || Duration <= TimeSpan.Zero)) throw new ArgumentException("a closed model needs concurrency >= 1 and a positive duration");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlight, 1);
        return this;
    }
}
