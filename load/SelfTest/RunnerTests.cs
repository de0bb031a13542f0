namespace SmsGateway.Load.SelfTest;

/// <summary>Load-runner cases (filled in with the runner).</summary>
public static class RunnerTests
{
    /// <summary>All runner cases.</summary>
    public static IEnumerable<(string Name, Func<CancellationToken, Task> Run)> Cases() => [];
}
