using System.Diagnostics;

namespace SmsGateway.Load.Runner;

/// <summary>
/// Drives a <see cref="LoadModel"/>: calls <c>fire(intendedTimestamp)</c> (a <see cref="Stopwatch"/> timestamp) for every request.
/// The open model runs its schedule on a dedicated thread (<see cref="PreciseSleep"/>: sleep until <c>spinMicros</c> before each arrival, then yield-spin) and hands each request to the thread pool,
/// so a slow answer never delays the next arrival; past <see cref="LoadModel.MaxInFlight"/> the scheduler waits and the delay is charged to the requests (measured from intended start).
/// </summary>
public static class LoadEngine
{
    /// <summary>Runs the model to its end and waits for every request in flight. <paramref name="fire"/> must not throw.
    /// <paramref name="start"/> is the Stopwatch timestamp the schedule counts from (default: now).</summary>
    public static async Task RunAsync(LoadModel model, Func<long, Task> fire, int spinMicros, CancellationToken ct, long? start = null)
    {
        model.Validate();
        if (model.Kind == "closed") await RunClosedAsync(model, fire, ct).ConfigureAwait(false);
        else await RunOpenAsync(model, fire, spinMicros, start ?? Stopwatch.GetTimestamp(), ct).ConfigureAwait(false);
    }

    private static async Task RunClosedAsync(LoadModel model, Func<long, Task> fire, CancellationToken ct)
    {
        var end = Stopwatch.GetTimestamp() + (long)(model.Duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, model.Concurrency).Select(_ => Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested && Stopwatch.GetTimestamp() < end)
                await fire(Stopwatch.GetTimestamp()).ConfigureAwait(false);
        }, ct));
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private static async Task RunOpenAsync(LoadModel model, Func<long, Task> fire, int spinMicros, long start, CancellationToken ct)
    {
        var permits = new SemaphoreSlim(model.MaxInFlight, model.MaxInFlight);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                foreach (var offset in ArrivalSchedule.Offsets(model.Stages))
                {
                    if (ct.IsCancellationRequested) break;
                    var intended = start + (long)(offset.TotalSeconds * Stopwatch.Frequency);
                    PreciseSleep.Until(intended, spinMicros);
                    permits.Wait(ct);
                    ThreadPool.UnsafeQueueUserWorkItem(static state => _ = Launch(state), (fire, intended, permits), preferLocal: false);
                }
                finished.TrySetResult();
            }
            catch (OperationCanceledException) { finished.TrySetResult(); }
            catch (Exception e) { finished.TrySetException(e); }
        }) { IsBackground = true, Name = "load-scheduler", Priority = ThreadPriority.AboveNormal };
        thread.Start();
        await finished.Task.ConfigureAwait(false);
        for (var i = 0; i < model.MaxInFlight; i++) await permits.WaitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task Launch((Func<long, Task> Fire, long Intended, SemaphoreSlim Permits) s)
    {
        try { await s.Fire(s.Intended).ConfigureAwait(false); }
        finally { s.Permits.Release(); }
    }
}
