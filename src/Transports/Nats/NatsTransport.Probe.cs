using NATS.Client.Core;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

public sealed partial class NatsTransport
{
    /// <inheritdoc />
    /// <remarks>
    /// Reads NATS.Net's <see cref="NatsConnection.ConnectionState"/>: <see cref="NatsConnectionState.Open"/> is connected;
    /// <c>Reconnecting</c> (the client's own reconnect loop after a lost connection) is not. Before the first connection
    /// (state <c>Closed</c>, nothing published or subscribed yet) it runs <see cref="EnsureReadyAsync"/> once per call,
    /// and a failure there counts as not connected.
    /// </remarks>
    public async ValueTask<bool> IsConnectedAsync(CancellationToken cancellationToken)
    {
        if (_disposed != 0)
        {
            return false;
        }

        if (!_ready && Connection.ConnectionState == NatsConnectionState.Closed)
        {
            try
            {
                await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (TransportException ex)
            {
                TransportLog.ProbeFailed(_logger, ex.Message);
                return false;
            }
        }

        return Connection.ConnectionState == NatsConnectionState.Open;
    }
}
