using System.Diagnostics;
using SmsGateway.Load.Histogram;

namespace SmsGateway.Load.Runner;

/// <summary>Prints a live progress line once a second (rewritten in place on a terminal, a new line every 5 s when output is redirected).</summary>
public sealed class ProgressLine : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts printing for <paramref name="stats"/>.</summary>
    public ProgressLine(string name, ScenarioStats stats, TimeSpan planned, TextWriter output, bool enabled)
    {
        _loop = enabled ? LoopAsync(name, stats, planned, output) : Task.CompletedTask;
    }

    private async Task LoopAsync(string name, ScenarioStats stats, TimeSpan planned, TextWriter output)
    {
        var redirected = Console.IsOutputRedirected || output != Console.Out;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var sw = Stopwatch.StartNew();
        long lastReq = 0;
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                tick++;
                var ok = stats.Ok;
                var req = stats.Requests;
                var timeline = stats.Timeline;
                var last = timeline.Count >= 2 ? timeline[^2] : timeline.Count == 1 ? timeline[0] : null;
                var line = $"[{name}] {sw.Elapsed.TotalSeconds,4:F0}/{planned.TotalSeconds:F0}s  req {req,9:N0}  ok {ok,9:N0}  err {stats.Failed,6:N0}  " +
                           $"{req - lastReq,6:N0} req/s  p99(1s) {(last?.Latency.ValueAtPercentileOrZero(99) ?? 0) / 1000.0,7:F2} ms";
                lastReq = req;
                if (!redirected) output.Write("\r" + line + "   ");
                else if (tick % 5 == 0) output.WriteLine(line);
            }
        }
        catch (OperationCanceledException) { }
        if (!redirected) output.WriteLine();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
