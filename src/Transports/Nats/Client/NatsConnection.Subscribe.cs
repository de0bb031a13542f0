using SmsGateway.Transports.Nats.Client.Internal;

namespace SmsGateway.Transports.Nats.Client;

public sealed partial class NatsConnection
{
    /// <summary>
    /// Subscribes to <paramref name="subject"/>, optionally as a member of <paramref name="queueGroup"/> (each message goes
    /// to one member of the group). https://docs.nats.io/reference/reference-protocols/nats-protocol#sub.
    /// </summary>
    /// <returns>The subscription; its channel holds up to <see cref="NatsOpts.SubPendingChannelCapacity"/> messages.</returns>
    public async ValueTask<NatsSub> SubscribeCoreAsync(string subject, string? queueGroup, CancellationToken cancellationToken)
    {
        ValidateSubject(subject);
        if (queueGroup is not null)
        {
            ValidateSubject(queueGroup);
        }

        var sub = new NatsSub(this, subject, queueGroup, NextSid(), _opts.SubPendingChannelCapacity);
        await AddSubAsync(sub.Base, cancellationToken).ConfigureAwait(false);
        return sub;
    }

    internal long NextSid() => Interlocked.Increment(ref _nextSid);

    /// <summary>Registers <paramref name="sub"/> (so reconnects re-send it) and sends SUB.</summary>
    internal async ValueTask AddSubAsync(NatsSubBase sub, CancellationToken cancellationToken)
    {
        _subs[sub.Sid] = sub;
        try
        {
            await WriteAsync(sub, static (w, in s) => ProtocolWriter.WriteSub(w, s.Subject, s.QueueGroup, s.Sid), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _subs.TryRemove(sub.Sid, out _);
            throw;
        }
    }

    /// <summary>Forgets <paramref name="sub"/> and sends UNSUB when connected (a reconnect would not re-send it anyway).</summary>
    internal async ValueTask RemoveSubAsync(NatsSubBase sub)
    {
        if (!_subs.TryRemove(sub.Sid, out _) || _state != NatsConnectionState.Open)
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await WriteAsync(sub.Sid, static (w, in sid) => ProtocolWriter.WriteUnsub(w, sid), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or NatsException or ObjectDisposedException)
        {
            // not connected: nothing to unsubscribe from
        }
    }
}
