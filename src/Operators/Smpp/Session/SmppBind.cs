using System.Threading.RateLimiting;
using SmsGateway.Operators.Smpp.Pdu;

namespace SmsGateway.Operators.Smpp.Session;

/// <summary>
/// One configured bind of an operator, kept up for the life of the client: connects and binds, reconnects with jittered
/// exponential backoff when the session ends, limits outstanding submit_sm (the window) and submits per second, and pauses
/// after ESME_RTHROTTLED / ESME_RMSGQFUL with a backoff that doubles while the SMSC keeps throttling.
/// </summary>
/// <remarks>Thread-safe: <see cref="SubmitAsync"/> is called concurrently; one background loop owns the session.</remarks>
internal sealed class SmppBind : IAsyncDisposable
{
    private readonly SessionContext _context;
    private readonly SemaphoreSlim _window;
    private readonly RateLimiter? _throughput;
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile SmppSession? _session;
    private long _pausedUntilTicks;
    private int _throttleBackoffMs;
    private Task _loop = Task.CompletedTask;

    public SmppBind(SessionContext context)
    {
        _context = context;
        var o = context.Options;
        _window = new SemaphoreSlim(o.Window, o.Window);
        _throughput = o.ThroughputPerSecond > 0 ? CreateLimiter(o.ThroughputPerSecond) : null;
        _throttleBackoffMs = o.ThrottleBackoffMs;
    }

    /// <summary>True while a session is bound.</summary>
    public bool IsBound => _session?.IsOpen == true;

    /// <summary>Binds so far (the first one included).</summary>
    public int BindCount { get; private set; }

    /// <summary>Completes when the bind is (or next becomes) bound.</summary>
    public Task WhenBound => _bound.Task;

    /// <summary>Starts the connect/reconnect loop in the background.</summary>
    public void Start() => _loop = RunAsync(_stop.Token);

    /// <summary>
    /// Submits one submit_sm through this bind: waits for the throttle pause, a window slot and a throughput token, then
    /// sends it. A throttling answer lengthens the pause of the whole bind; a success resets it.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SubmitResponse> SubmitAsync(ShortMessagePdu pdu, CancellationToken cancellationToken)
    {
        long pause = Interlocked.Read(ref _pausedUntilTicks) - Environment.TickCount64;
        if (pause > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(pause), cancellationToken).ConfigureAwait(false);
        }

        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_throughput is not null)
            {
                using var lease = await _throughput.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            }

            var session = _session;
            if (session is null || !session.IsOpen)
            {
                return new SubmitResponse(SubmitState.NotSent);
            }

            var response = await session.SubmitAsync(pdu, cancellationToken).ConfigureAwait(false);
            if (response.State == SubmitState.Responded)
            {
                if (CommandStatus.IsThrottle(response.Status))
                {
                    SlowDown(response.Status);
                }
                else
                {
                    Volatile.Write(ref _throttleBackoffMs, _context.Options.ThrottleBackoffMs);
                }
            }

            return response;
        }
        finally
        {
            _window.Release();
        }
    }

    /// <summary>Stops reconnecting, unbinds the current session (§4.2) and closes it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _throughput?.Dispose(); // a send still waiting for a token gets ObjectDisposedException: the client turns it into a transient failure

        // _window is left to the GC: sends racing the dispose may still wait on or release it
    }

    /// <summary>
    /// A token bucket refilled every period with k tokens where k / period = the rate and the period stays near 50 ms:
    /// smooth under 20/s (one token per 1/rate s), bursts of at most k above it.
    /// </summary>
    private static TokenBucketRateLimiter CreateLimiter(int perSecond)
    {
        int tokens = Math.Max(1, (int)Math.Ceiling(perSecond / 20.0));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1000.0 * tokens / perSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    private void SlowDown(uint status)
    {
        int backoff = Volatile.Read(ref _throttleBackoffMs);
        Interlocked.Exchange(ref _pausedUntilTicks, Environment.TickCount64 + backoff);
        Volatile.Write(ref _throttleBackoffMs, Math.Min(backoff * 2, _context.Options.ThrottleBackoffMaxMs));
        SmppLog.Throttled(_context.Logger, _context.OperatorName, _context.BindIndex, CommandStatus.ToErrorCode(status), backoff);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var o = _context.Options;
        int failures = 0;
        while (!stop.IsCancellationRequested)
        {
            int delay;
            try
            {
                var (session, smscId) = await SmppSession.ConnectAsync(_context, stop).ConfigureAwait(false);
                _session = session;
                BindCount++;
                failures = 0;
                SmppLog.Bound(_context.Logger, _context.OperatorName, _context.BindIndex, _context.BindCommand.ToString(), o.Host, o.Port, smscId);
                _bound.TrySetResult();
                string reason;
                try
                {
                    reason = await session.Completion.WaitAsync(stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await UnbindAsync(session).ConfigureAwait(false);
                    return;
                }
                finally
                {
                    _session = null;
                    Interlocked.Exchange(ref _bound, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                }

                await session.DisposeAsync().ConfigureAwait(false);
                delay = Backoff(0);
                SmppLog.Disconnected(_context.Logger, _context.OperatorName, _context.BindIndex, reason, delay);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                delay = Backoff(failures++);
                SmppLog.BindFailed(_context.Logger, ex, _context.OperatorName, _context.BindIndex, o.Host, o.Port, delay);
            }

            try
            {
                await Task.Delay(delay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>reconnect_min_ms × 2^failures, capped at reconnect_max_ms, ±20 % jitter so binds do not reconnect in step.</summary>
    private int Backoff(int failures)
    {
        var o = _context.Options;
        double baseMs = Math.Min(o.ReconnectMaxMs, o.ReconnectMinMs * Math.Pow(2, Math.Min(failures, 20)));
        return (int)(baseMs * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    private async Task UnbindAsync(SmppSession session)
    {
        try
        {
            await session.UnbindAsync().ConfigureAwait(false);
            SmppLog.Unbound(_context.Logger, _context.OperatorName, _context.BindIndex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SmppLog.UnbindFailed(_context.Logger, ex, _context.OperatorName, _context.BindIndex);
        }
        finally
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }
}
