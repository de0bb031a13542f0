using System.Collections.Concurrent;
using System.Threading.Tasks.Dataflow;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Dataflow;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit;

/// <summary>The graph's own blocks (docs/architecture.md "The Dataflow graph"): the draining batch and the accept partition's reserve → publish link.</summary>
public sealed class DataflowGraphTests
{
    [Fact(Timeout = 20_000)]
    public async Task A_lone_item_is_handed_on_at_once_and_items_that_wait_behind_a_slow_batch_come_as_one_batch()
    {
        var batches = new ConcurrentQueue<int[]>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var block = new DrainingBatchBlock<int>(async batch =>
        {
            batches.Enqueue([.. batch]);
            first.TrySetResult();
            await gate.Task;
        }, (_, ex) => throw new InvalidOperationException("no handler fails here", ex), maxBatch: 4, capacity: 6);

        Assert.True(block.Post(0));
        await first.Task; // handed on without waiting for a batch to fill
        for (int i = 1; i <= 6; i++)
        {
            Assert.True(block.Post(i));
        }

        Assert.False(block.Post(7), "the block is bounded: a seventh waiting item is declined");
        Assert.Equal(6, block.Count);
        gate.SetResult();
        block.Complete();
        await block.Completion;

        Assert.Equal([[0], [1, 2, 3, 4], [5, 6]], batches.ToArray());
    }

    [Fact(Timeout = 20_000)]
    public async Task A_handler_that_throws_hands_its_batch_to_the_error_path_and_the_block_goes_on()
    {
        var failed = new ConcurrentQueue<int>();
        var handled = new ConcurrentQueue<int>();
        var block = new DrainingBatchBlock<int>(batch =>
        {
            if (batch.Contains(13))
            {
                throw new InvalidOperationException("unlucky");
            }

            foreach (var i in batch)
            {
                handled.Enqueue(i);
            }

            return Task.CompletedTask;
        }, (batch, _) => batch.ForEach(failed.Enqueue), maxBatch: 1, capacity: 10);

        foreach (var i in new[] { 1, 13, 2 })
        {
            Assert.True(block.Post(i));
        }

        block.Complete();
        await block.Completion;
        Assert.Equal([13], failed.ToArray());
        Assert.Equal([1, 2], handled.ToArray());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_partition_reserves_and_queues_the_next_user_while_the_last_users_publish_waits_for_its_ack()
    {
        var transport = new FirstPublishGated();
        var ledger = new InMemoryBalanceLedger();
        var options = new PipelineOptions { AcceptPartitions = 1, AcceptDeadline = TimeSpan.FromSeconds(20), AcceptQueueBudget = TimeSpan.Zero };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("a", 1_000_000, "c", CancellationToken.None);
        await ledger.ChargeAsync("b", 1_000_000, "c", CancellationToken.None);

        var first = pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "a"), CancellationToken.None);
        await transport.FirstPublishStarted; // user a is reserved; its publish waits for the broker's ack
        var second = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "b"), CancellationToken.None);

        Assert.Equal(AcceptStatus.Queued, second.Status); // one partition, yet b did not wait for a's ack
        Assert.False(first.IsCompleted);
        transport.Release();
        Assert.Equal(AcceptStatus.Queued, (await first).Status);
        Assert.True((await ledger.GetBalanceAsync("a", CancellationToken.None)).Reserved > 0);
    }

    [Fact]
    public async Task Accept_partitions_default_to_eight_in_memory_and_two_over_a_broker_unless_set()
    {
        // One accept queue depth measurement per partition (PipelineMetrics "sms.accept.queue.depth").
        static async Task<int> PartitionsAsync(IMessageTransport transport, int? set)
        {
            await using var pipeline = new SmsPipelineBuilder().WithOptions(new PipelineOptions { AcceptPartitions = set }).WithTransport(transport).Build();
            await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
            return pipeline.Metrics.AcceptQueueDepth!().Count();
        }

        var broker = new FirstPublishGated(); // any transport but the in-memory one counts as a broker
        broker.Release();
        Assert.Equal(8, await PartitionsAsync(new InMemoryTransport(), null));
        Assert.Equal(2, await PartitionsAsync(broker, null));
        Assert.Equal(5, await PartitionsAsync(new InMemoryTransport(), 5));
        Assert.Equal(3, await PartitionsAsync(new FirstPublishGated(), 3));
    }

    /// <summary>The in-memory broker, except that the first message publish waits until <see cref="Release"/>.</summary>
    private sealed class FirstPublishGated : IMessageTransport
    {
        private readonly InMemoryTransport _inner = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _publishes;

        public Task FirstPublishStarted => _started.Task;

        public void Release() => _gate.TrySetResult();

        public async ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken)
        {
            if (topic is Topics.Express or Topics.Normal && Interlocked.Increment(ref _publishes) == 1)
            {
                _started.TrySetResult();
                await _gate.Task.WaitAsync(cancellationToken);
            }

            await _inner.PublishAsync(topic, message, cancellationToken);
        }

        public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken) =>
            _inner.SubscribeAsync(topic, consumerGroup, options, cancellationToken);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
