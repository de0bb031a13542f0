namespace SmsGateway.Redis;

/// <summary>
/// One in-process gate per lock resource: callers of this process queue here before they ask the Redis nodes, so
/// N local contenders for one user cost one Redlock contender instead of N retry loops hammering every node
/// (RedLock.net has no such queue: 1,000 local contenders for one user did not finish in 120 s without it).
/// Entries live only while someone holds or waits for them. Thread-safe.
/// </summary>
internal sealed class LocalGates
{
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>Waits up to <paramref name="wait"/> for the resource's local gate.</summary>
    /// <returns>A releaser when entered, null when the wait passed.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<Releaser?> EnterAsync(string resource, TimeSpan wait, CancellationToken cancellationToken)
    {
        Gate gate;
        lock (_gates)
        {
            if (!_gates.TryGetValue(resource, out gate!))
            {
                gate = new Gate();
                _gates[resource] = gate;
            }

            gate.Users++;
        }

        var entered = false;
        try
        {
            entered = await gate.Semaphore.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!entered)
            {
                Leave(resource, gate);
            }
        }

        return entered ? new Releaser(this, resource, gate) : null;
    }

    private void Leave(string resource, Gate gate)
    {
        lock (_gates)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(resource);
            }
        }
    }

    internal sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    /// <summary>Leaves the gate once; later calls do nothing.</summary>
    internal sealed class Releaser
    {
        private readonly LocalGates _owner;
        private readonly string _resource;
        private readonly Gate _gate;
        private int _released;

        public Releaser(LocalGates owner, string resource, Gate gate)
        {
            _owner = owner;
            _resource = resource;
            _gate = gate;
        }

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _gate.Semaphore.Release();
                _owner.Leave(_resource, _gate);
            }
        }
    }
}
