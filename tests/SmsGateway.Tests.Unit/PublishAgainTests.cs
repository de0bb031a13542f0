using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit;

/// <summary>
/// A publish the broker stored but acked after the accept deadline, whose withdrawal cannot reach the ledger (README
/// "Admission control and fail-fast"): the frame is published once more; stored, the request is answered 202, since a
/// dispatcher sends it once the ledger is back. Before, it was answered 503 "nothing was charged" and could be charged.
/// </summary>
public sealed class PublishAgainTests
{
    private static readonly SendRequest Request = new("09121234567", "hello", "express", "pa");

    [Fact(Timeout = 30_000)]
    public async Task A_late_ack_with_the_ledger_unreachable_is_published_again_and_answered_202()
    {
        var (pipeline, transport, ledger) = await StartAsync();
        await using var _ = pipeline;
        transport.HoldAcks = 1; // the next message publish is stored, but its ack outlasts the deadline
        ledger.CancelFails = true;
        long reserved = (await ledger.GetBalanceAsync("pa", CancellationToken.None)).Reserved; // the warm-up's, not yet sent

        var result = await pipeline.SendAsync(Request, CancellationToken.None);

        Assert.Equal(AcceptStatus.Queued, result.Status);
        var publishes = transport.Publishes; // the publish cut off, then the one that answered, with the same de-duplication id
        Assert.Equal(2, publishes.Count);
        Assert.Equal(publishes[0], publishes[1]);
        Assert.Equal(reserved + result.Message!.Cost, (await ledger.GetBalanceAsync("pa", CancellationToken.None)).Reserved); // still reserved, for dispatch
    }

    [Fact(Timeout = 30_000)]
    public async Task When_the_second_publish_fails_too_the_answer_stays_503()
    {
        var (pipeline, transport, ledger) = await StartAsync();
        await using var _ = pipeline;
        transport.HoldAcks = 1;
        transport.FailAfterHold = true; // the broker stops answering after storing the first copy
        ledger.CancelFails = true;

        var result = await pipeline.SendAsync(Request, CancellationToken.None);

        Assert.Equal(AcceptStatus.Unavailable, result.Status);
        Assert.Equal(2, transport.Publishes.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task With_the_ledger_reachable_a_late_ack_is_withdrawn_and_not_published_again()
    {
        var (pipeline, transport, ledger) = await StartAsync();
        await using var _ = pipeline;
        transport.HoldAcks = 1;
        long reserved = (await ledger.GetBalanceAsync("pa", CancellationToken.None)).Reserved;

        var result = await pipeline.SendAsync(Request, CancellationToken.None);

        Assert.Equal(AcceptStatus.Unavailable, result.Status);
        Assert.Single(transport.Publishes);
        Assert.Equal(reserved, (await ledger.GetBalanceAsync("pa", CancellationToken.None)).Reserved); // refunded: the stored copy is dropped at begin-send
    }

    private static async Task<(SmsPipeline Pipeline, LateAckTransport Transport, CancelFailingLedger Ledger)> StartAsync()
    {
        var transport = new LateAckTransport();
        var ledger = new CancelFailingLedger(new InMemoryBalanceLedger());
        var options = new PipelineOptions { AcceptDeadline = TimeSpan.FromSeconds(1), CircuitFailureThreshold = 100 };
        var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("pa", 1_000_000, "c", CancellationToken.None);
        Assert.Equal(AcceptStatus.Queued, (await pipeline.SendAsync(Request, CancellationToken.None)).Status); // compiles the path first
        return (pipeline, transport, ledger);
    }

    /// <summary>
    /// The in-memory broker; while <see cref="HoldAcks"/> is above zero, a message publish is stored and then waits for its
    /// token (an ack that misses the deadline). With <see cref="FailAfterHold"/>, every later message publish fails.
    /// </summary>
    private sealed class LateAckTransport : IMessageTransport
    {
        private readonly InMemoryTransport _inner = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string?> _publishes = new();
        private int _holdAcks;
        private volatile bool _held;

        public int HoldAcks
        {
            set
            {
                _publishes.Clear();
                Volatile.Write(ref _holdAcks, value);
            }
        }

        public bool FailAfterHold { get; set; }

        /// <summary>The de-duplication ids of the message publishes since <see cref="HoldAcks"/> was last set, in order.</summary>
        public IReadOnlyList<string?> Publishes => [.. _publishes];

        public async ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken)
        {
            if (topic is not (Topics.Express or Topics.Normal))
            {
                await _inner.PublishAsync(topic, message, cancellationToken);
                return;
            }

            _publishes.Enqueue(message.MessageId);

            if (_held && FailAfterHold)
            {
                throw new TransportException("broker gone (test)");
            }

            await _inner.PublishAsync(topic, message, cancellationToken);
            if (Interlocked.Decrement(ref _holdAcks) >= 0)
            {
                _held = true;
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }

        public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken) =>
            _inner.SubscribeAsync(topic, consumerGroup, options, cancellationToken);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }

    /// <summary>The in-memory ledger, except that the cancel script cannot be reached while <see cref="CancelFails"/>.</summary>
    private sealed class CancelFailingLedger(InMemoryBalanceLedger inner) : ForwardingLedger(inner)
    {
        public volatile bool CancelFails;

        public override ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken) =>
            CancelFails ? throw new LedgerUnavailableException("ledger frozen (test)") : base.CancelAsync(userId, messageId, cancellationToken);
    }
}
