namespace SmsGateway.Dispatch;

/// <summary>
/// The send timeout of one lane worker, reused from send to send. It exists because a new timed
/// <see cref="CancellationTokenSource"/> per send registers and removes a timer each time, which showed up in profiles of
/// the embedded graph; here the timer is armed only when the operator client did not answer synchronously (the zero-latency
/// simulator never needs it), and the source is reset instead of replaced.
/// </summary>
/// <remarks>Not thread-safe: owned by one worker, used by one send at a time.</remarks>
internal sealed class SendTimeout : IDisposable
{
    private CancellationTokenSource _source = new();

    /// <summary>Token passed to the operator client; cancelled once an armed timeout elapses.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True when the armed timeout elapsed.</summary>
    public bool Elapsed => _source.IsCancellationRequested;

    /// <summary>Starts the clock for a send still in progress. The few microseconds before arming are not counted.</summary>
    public void Arm(TimeSpan timeout) => _source.CancelAfter(timeout);

    /// <summary>Makes the token usable for the next send (a cancelled source cannot be reset, so it is replaced).</summary>
    public void Reset()
    {
        if (!_source.TryReset())
        {
            _source.Dispose();
            _source = new CancellationTokenSource();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();
}
