namespace SmsGateway.Load.Runner;

/// <summary>Steps of a highest-rate search: constant-rate steps of <see cref="StepDuration"/> from <see cref="StartRate"/>, multiplied by <see cref="Factor"/>, until a step breaks <see cref="Budget"/> or <see cref="MaxRate"/> is passed.</summary>
public sealed record RateSearch
{
    public double StartRate { get; init; } = 250;
    public double Factor { get; init; } = 1.5;
    public double MaxRate { get; init; } = 200_000;
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Thresholds a step must meet to count as within budget.</summary>
    public IReadOnlyList<Threshold> Budget { get; init; } = [];
}
