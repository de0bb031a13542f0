using System.Buffers.Text;
using System.Collections.Concurrent;
using SmsGateway.Transports.Nats.Client.Internal;

namespace SmsGateway.Transports.Nats.Client;

public sealed partial class NatsConnection
{
    private readonly string _inboxPrefix;
    private readonly InboxSub _inbox;
    private readonly ConcurrentDictionary<long, PendingRequest> _requests = new();
    private long _nextRequestId;

    /// <summary>
    /// Publishes a request with a reply subject on this connection's one shared inbox (<c>_INBOX.&lt;nuid&gt;.*</c>) and
    /// waits for the first reply.
    /// </summary>
    /// <param name="subject">Request subject.</param>
    /// <param name="data">Payload.</param>
    /// <param name="headers">Headers or null.</param>
    /// <param name="timeout">Reply timeout; null for <see cref="NatsOpts.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="NatsNoRespondersException">Nobody subscribes to <paramref name="subject"/>.</exception>
    /// <exception cref="NatsTimeoutException">No reply in time.</exception>
    public async ValueTask<NatsMsg> RequestAsync(string subject, ReadOnlyMemory<byte> data, NatsHeaders? headers, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var wait = timeout ?? _opts.RequestTimeout;
        if (_state != NatsConnectionState.Open)
        {
            try
            {
                // bound the wait for a reconnect by the request timeout (writers otherwise wait for their token only)
                await WaitForOpenAsync(cancellationToken).WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new NatsTimeoutException($"not connected within {wait.TotalMilliseconds} ms for a request on '{subject}'");
            }
        }

        var id = Interlocked.Increment(ref _nextRequestId);
        var pending = new PendingRequest(subject);
        _requests[id] = pending;
        try
        {
            await PublishAsync(subject, data, headers, _inboxPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            return await pending.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new NatsTimeoutException($"no reply to request on '{subject}' within {wait.TotalMilliseconds} ms");
        }
        finally
        {
            _requests.TryRemove(id, out _);
        }
    }

    private void FailRequests(Exception error)
    {
        foreach (var (id, pending) in _requests)
        {
            if (_requests.TryRemove(id, out _))
            {
                pending.TrySetException(error);
            }
        }
    }

    private sealed class PendingRequest(string subject) : TaskCompletionSource<NatsMsg>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Subject { get; } = subject;
    }

    /// <summary>The shared reply inbox: routes each reply to its request by the last subject token.</summary>
    private sealed class InboxSub(NatsConnection owner, string subject, long sid) : NatsSubBase(subject, null, sid)
    {
        public override void OnMessage(in NatsMsg msg)
        {
            var token = msg.Subject.AsSpan(owner._inboxPrefix.Length);
            if (!long.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                || !owner._requests.TryRemove(id, out var pending))
            {
                return; // late reply after timeout
            }

            if (msg.Headers is { Code: 503 })
            {
                pending.TrySetException(new NatsNoRespondersException(pending.Subject));
            }
            else
            {
                pending.TrySetResult(msg);
            }
        }
    }
}
