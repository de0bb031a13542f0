namespace SmsGateway.Load.Runner;

/// <summary>One stage of an open (arrival-rate) model: the rate moves linearly from <paramref name="StartRate"/> to <paramref name="EndRate"/> (requests/s) over <paramref name="Duration"/>.</summary>
public sealed record RateStage(TimeSpan Duration, double StartRate, double EndRate)
{
    /// <summary>A stage at a constant rate.</summary>
    public static RateStage Constant(double rate, TimeSpan duration) => new(duration, rate, rate);
}
