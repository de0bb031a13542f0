using SmsGateway.Routing;

namespace SmsGateway.Dispatch;

/// <summary>
/// One operator client in the <see cref="OperatorClientRouter"/>'s snapshot, counting the sends in flight through it so
/// that a replaced client is disposed only after they end.
/// </summary>
/// <remarks>Thread-safe. <see cref="TryEnter"/> fails once retiring has begun; the sender then reads the new snapshot.</remarks>
internal sealed class ClientLease(IOperatorClient client, OperatorConnection connection, bool owned)
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _retired;

    public IOperatorClient Client { get; } = client;

    public OperatorConnection Connection { get; } = connection;

    /// <summary>Whether the router created the client (and so disposes it); false for the shared simulator.</summary>
    public bool Owned { get; } = owned;

    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _retired) == 0)
        {
            return true;
        }

        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _retired) == 1)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new sends and completes when the last one in flight has ended.</summary>
    public Task RetireAsync()
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }
}
