using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using SmsGateway.Transports.Nats.Client.Internal;
using SmsGateway.Transports.Nats.Client.JetStream.Internal;
using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Transports.Nats.Client.JetStream;

/// <summary>A durable pull consumer: one-off <see cref="FetchAsync"/> or a long-running <see cref="Consume"/>.</summary>
public sealed class NatsJSConsumer
{
    private readonly NatsJSContext _context;

    internal NatsJSConsumer(NatsJSContext context, ConsumerInfo info)
    {
        _context = context;
        Info = info;
    }

    /// <summary>The consumer as the server returned it at creation.</summary>
    public ConsumerInfo Info { get; }

    /// <summary>Stream name.</summary>
    public string Stream => Info.StreamName;

    /// <summary>Consumer name.</summary>
    public string Name => Info.Name;

    /// <summary>
    /// Sends one pull request for up to <paramref name="maxMsgs"/> messages and yields them as they arrive, ending when the
    /// batch is full, the server ends the request (404/408/409), or <paramref name="expires"/> (+1 s) passes.
    /// </summary>
    public async IAsyncEnumerable<NatsJSMsg> FetchAsync(int maxMsgs, TimeSpan expires, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMsgs, 1);
        var connection = _context.Connection;
        var inbox = $"{connection.Opts.InboxPrefix}.{Nuid.Next()}";
        var channel = Channel.CreateBounded<NatsMsg>(maxMsgs + 8);
        var sub = new ChannelSub(channel.Writer, inbox, connection.NextSid());
        await connection.AddSubAsync(sub, cancellationToken).ConfigureAwait(false);
        try
        {
            var request = JsonSerializer.SerializeToUtf8Bytes(new PullRequest { Batch = maxMsgs, Expires = expires }, JetStreamJsonContext.Default.PullRequest);
            await connection.PublishAsync($"$JS.API.CONSUMER.MSG.NEXT.{Stream}.{Name}", request, headers: null, replyTo: inbox, cancellationToken).ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(expires + TimeSpan.FromSeconds(1));
            var received = 0;
            while (received < maxMsgs)
            {
                NatsMsg msg;
                try
                {
                    msg = await channel.Reader.ReadAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }

                if (msg.Headers is { Code: > 0 } h)
                {
                    if (h.Code == 100)
                    {
                        continue;
                    }

                    yield break; // 404 no messages, 408 expired, 409 terminated
                }

                received++;
                yield return new NatsJSMsg(msg, NatsJSMsgMetadata.Parse(msg.ReplyTo));
            }
        }
        finally
        {
            await connection.RemoveSubAsync(sub).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts a long-running pull loop: pull requests with expiry and idle heartbeats, never asking for more messages than
    /// the free room of a bounded channel of <see cref="NatsJSConsumeOpts.MaxMsgs"/>; re-pulls after 408/409, lost
    /// heartbeats and reconnects. Dispose to stop (unacked messages are delivered again after the ack wait).
    /// </summary>
    public NatsJSConsume Consume(NatsJSConsumeOpts opts)
    {
        var loop = new PullConsumer<NatsJSMsg>(_context.Connection, Stream, Name, opts.Validate(), static m => m);
        loop.Start();
        return new NatsJSConsume(loop);
    }

    private sealed class ChannelSub(ChannelWriter<NatsMsg> writer, string subject, long sid) : NatsSubBase(subject, null, sid)
    {
        public override void OnMessage(in NatsMsg msg) => writer.TryWrite(msg);
    }
}
