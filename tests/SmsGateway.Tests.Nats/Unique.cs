namespace SmsGateway.Tests.Nats;

internal static class Unique
{
    private static int _n;

    /// <summary>A name unique in this test run, usable as a stream name, subject token and consumer name.</summary>
    public static string Name(string prefix) => $"{prefix}{Interlocked.Increment(ref _n)}x{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 14, 40)].ToUpperInvariant();
}
