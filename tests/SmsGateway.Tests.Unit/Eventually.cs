namespace SmsGateway.Tests.Unit;

/// <summary>Polling for a condition that the pipeline reaches asynchronously.</summary>
internal static class Eventually
{
    /// <summary>Returns once <paramref name="condition"/> holds, checked every 10 ms; fails with "<paramref name="what"/>: not within 20 s" after 20 s.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what + ": not within 20 s");
            await Task.Delay(10);
        }
    }
}
