namespace SmsGateway.Transport;

/// <summary>
/// Implemented by an <see cref="IMessageTransport"/> that can tell whether its broker is reachable; read by the host's
/// readiness check (<c>/health/ready</c>). Optional: a transport that does not implement it is reported as "unknown".
/// </summary>
/// <remarks>Thread-safe; may be called concurrently with publish and subscribe.</remarks>
public interface IBrokerProbe
{
    /// <summary>
    /// Whether the broker connection is open now. Opens it first when the transport has not connected yet (transports
    /// connect lazily), so a process that has not published anything yet does not look down.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait; the caller bounds the probe with it (about 1 s).</param>
    /// <returns>True while connected; false while the broker is unreachable or the connection is re-establishing.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<bool> IsConnectedAsync(CancellationToken cancellationToken);
}
