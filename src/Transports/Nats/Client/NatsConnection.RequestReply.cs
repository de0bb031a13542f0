using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using SmsGateway.Transports.Nats.Client.Internal;

namespace SmsGateway.Transports.Nats.Client;

public sealed partial class NatsConnection
{
    /// <summary>
    /// How often pending requests are checked for their deadline. One shared timer instead of one timer per request
    /// (<c>Task.WaitAsync(timeout)</c> allocated a timer, a task and a registration per JetStream publish); a request
    /// therefore times out up to this much late.
    /// </summary>
    private static readonly TimeSpan TimeoutSweepInterval = TimeSpan.FromMilliseconds(20);

    private readonly string _inboxPrefix;
    private readonly byte[] _inboxPrefixBytes;
    private readonly InboxSub _inbox;
    private readonly ConcurrentDictionary<long, PendingRequest> _requests = new();
    private Timer? _timeoutSweeper;
    private long _nextRequestId;

    /// <summary>
    /// Publishes a request with a reply subject on this connection's one shared inbox (<c>_INBOX.&lt;nuid&gt;.*</c>) and
    /// waits for the first reply.
    /// </summary>
    /// <param name="subject">Request subject.</param>
    /// <param name="data">Payload.</param>
    /// <param name="headers">Headers or null.</param>
    /// <param name="timeout">Reply timeout; null for <see cref="NatsOpts.RequestTimeout"/> (checked every 20 ms).</param>
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

        EnsureTimeoutSweeper();
        var id = Interlocked.Increment(ref _nextRequestId);
        var pending = new PendingRequest(this, id, subject, wait);
        _requests[id] = pending;
        if (cancellationToken.CanBeCanceled)
        {
            pending.Registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((PendingRequest)state!).Cancel(token),
                pending);
        }

        try
        {
            await PublishRequestAsync(subject, data, headers, id, cancellationToken).ConfigureAwait(false);
            return await pending.Task.ConfigureAwait(false);
        }
        finally
        {
            _requests.TryRemove(id, out _);
            await pending.Registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// PUB/HPUB whose reply subject is <c>&lt;inbox prefix&gt;&lt;id&gt;</c>, written straight into the pipe (no reply
    /// subject string per request).
    /// </summary>
    private ValueTask PublishRequestAsync(string subject, ReadOnlyMemory<byte> data, NatsHeaders? headers, long replyId, CancellationToken cancellationToken)
    {
        ValidateSubject(subject);
        CheckPayloadSize(data.Length, headers);
        return WriteAsync(
            (subject, prefix: _inboxPrefixBytes, replyId, headers, data),
            static (w, in s) => ProtocolWriter.WritePublish(w, s.subject, new ProtocolWriter.ReplyTo(s.prefix, s.replyId), s.headers, s.data.Span),
            cancellationToken);
    }

    private void EnsureTimeoutSweeper()
    {
        if (Volatile.Read(ref _timeoutSweeper) is null)
        {
            var timer = new Timer(static s => ((NatsConnection)s!).SweepTimedOutRequests(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (Interlocked.CompareExchange(ref _timeoutSweeper, timer, null) is null)
            {
                timer.Change(TimeoutSweepInterval, TimeoutSweepInterval);
            }
            else
            {
                timer.Dispose();
            }
        }
    }

    private void SweepTimedOutRequests()
    {
        if (_requests.IsEmpty)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        foreach (var (id, pending) in _requests)
        {
            if (now >= pending.Deadline && _requests.TryRemove(id, out _))
            {
                pending.TrySetException(new NatsTimeoutException($"no reply to request on '{pending.Subject}' within {pending.Timeout.TotalMilliseconds} ms"));
            }
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

    private static byte[] EncodeInboxPrefix(string prefix) => Encoding.ASCII.GetBytes(prefix);

    /// <summary>One request waiting for its reply; whoever removes it from the map completes it (reply, timeout, cancel, loss).</summary>
    private sealed class PendingRequest(NatsConnection owner, long id, string subject, TimeSpan timeout)
        : TaskCompletionSource<NatsMsg>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Subject { get; } = subject;

        public TimeSpan Timeout { get; } = timeout;

        /// <summary>Stopwatch timestamp after which the sweeper fails the request.</summary>
        public long Deadline { get; } = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel(CancellationToken token)
        {
            if (owner._requests.TryRemove(id, out _))
            {
                TrySetCanceled(token);
            }
        }
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
