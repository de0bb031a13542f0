using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using SmsGateway.Accept;
using SmsGateway.Dataflow;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Status;

namespace SmsGateway;

/// <summary>
/// The pipeline's Dataflow graph, built in one place and in the order a message travels (docs/architecture.md "The
/// Dataflow graph"). Each method builds one role's blocks and links them; the stages supply the work of each block
/// (<see cref="AcceptStage"/>, <see cref="DispatchStage"/>, <see cref="StatusStage"/>) and own the blocks' lifetimes.
/// Every block is bounded, so a slow step pushes back to the one before it, and in the end to the client (429) or to
/// the broker (the subscription stops fetching).
/// </summary>
/// <remarks>
/// The flow, role by role:
/// <code>
/// gateway     request thread: validate → route → price (SendValidator; a 400 never queues)
///               → accept partition (user hash; DrainingBatchBlock: what waits, ≤ MaxReserveBatch)
///               → reserve (per user of the batch: the user's fenced lock lease, one ledger call)
///               → publish (ActionBlock, many user batches at once: sms-express / sms-normal, then confirm)
/// dispatcher  consume sms-express, sms-normal, sms-dlq (competing consumers; ConsumerSupervisor)
///               → route to the operator's lane (OperatorLane: express first, rate limit, max_concurrency workers)
///               → begin-send → send (SMPP) → settle (capture | retry via sms-dlq | refund) → status publish
/// reporter    consume sms-status → batch by size or age (BatchBlock) → write (ActionBlock) → ack
/// </code>
/// </remarks>
internal static class PipelineGraph
{
    /// <summary>
    /// The gateway's blocks: <see cref="PipelineOptions.AcceptPartitions"/> accept partitions, each linked to the one publish
    /// block. A partition runs one reserve at a time (so a user, always hashed onto the same partition, has one ledger call
    /// in flight), while the publish block publishes up to <see cref="PublishConcurrency"/> reserved partition batches at
    /// once: the next batch is reserved while the last one's broker acks are awaited. A partition batch goes to the publish
    /// block whole, so its users' messages share broker publishes (docs/architecture.md "Message frames").
    /// </summary>
    /// <param name="options">Capacities and batch sizes.</param>
    /// <param name="reserve">Reserves one partition batch (partition index given): per user, the reserved items; a user whose items were all answered is left out.</param>
    /// <param name="publish">Publishes one partition batch's reserved items and answers them. Must not throw (a throw would fault the block).</param>
    /// <param name="refuse">Answers the unanswered items of a batch whose reserve threw, with the exception to log.</param>
    /// <param name="handedOn">Called with the partition index once its batch was reserved and handed to the publish block (or failed).</param>
    public static AcceptBlocks Accept(PipelineOptions options, Func<List<AcceptWork>, int, Task<List<ReservedBatch>>> reserve,
        Func<List<ReservedBatch>, Task> publish, Action<List<AcceptWork>, Exception> refuse, Action<int> handedOn)
    {
        int publishing = PublishConcurrency(options);
        var publishBlock = new ActionBlock<List<ReservedBatch>>(publish, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = publishing,
            BoundedCapacity = publishing,
        });

        var partitions = new DrainingBatchBlock<AcceptWork>[options.ResolvedAcceptPartitions];
        for (int i = 0; i < partitions.Length; i++)
        {
            int partition = i;
            partitions[i] = new DrainingBatchBlock<AcceptWork>(
                async batch =>
                {
                    try
                    {
                        var reserved = await reserve(batch, partition).ConfigureAwait(false);

                        // Waits while the publish block is full: the partition stays busy, its queue grows, and admission answers 429.
                        if (reserved.Count > 0 && !await publishBlock.SendAsync(reserved).ConfigureAwait(false))
                        {
                            foreach (var user in reserved)
                            {
                                refuse(user.Items, new InvalidOperationException("the publish block was completed before the partitions"));
                            }
                        }
                    }
                    finally
                    {
                        handedOn(partition);
                    }
                },
                refuse,
                options.MaxReserveBatch,
                options.AcceptQueueCapacity);
        }

        return new AcceptBlocks(partitions, publishBlock);
    }

    /// <summary>Reserved partition batches the gateway publishes at once: four per accept partition.</summary>
    public static int PublishConcurrency(PipelineOptions options) => options.ResolvedAcceptPartitions * 4;

    /// <summary>
    /// One operator's lane: a target block that queues express and normal messages apart and sends express first, under the
    /// operator's rate limit, with <c>max_concurrency</c> workers, each running <paramref name="send"/> (begin-send → send →
    /// settle → status). It declines when full, so the consumer hands the delivery back to the broker. A throw of
    /// <paramref name="send"/> is logged to <paramref name="logger"/> and leaves the delivery unsettled.
    /// </summary>
    public static OperatorLane Lane(OperatorInfo op, PipelineOptions options, Func<DispatchWork, OperatorInfo, SendTimeout, ValueTask> send, ILogger? logger = null) =>
        new(op, options.LaneCapacity, send, options.AckWait / 2, logger);

    /// <summary>
    /// The reporter's blocks: status events are batched by size (<see cref="PipelineOptions.StatusBatchSize"/>; the stage's
    /// timer triggers a partial batch by age) and each batch is written by one writer at a time.
    /// </summary>
    /// <param name="options">Batch size.</param>
    /// <param name="write">Writes one batch, then acks (or naks) its deliveries. Must not throw.</param>
    public static (BatchBlock<StatusItem> Batcher, ActionBlock<StatusItem[]> Writer) Status(PipelineOptions options, Func<StatusItem[], Task> write)
    {
        var batcher = new BatchBlock<StatusItem>(options.StatusBatchSize, new GroupingDataflowBlockOptions
        {
            BoundedCapacity = options.StatusBatchSize * 2,
        });
        var writer = new ActionBlock<StatusItem[]>(write, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = 1,
            BoundedCapacity = 2,
        });
        batcher.LinkTo(writer, new DataflowLinkOptions { PropagateCompletion = true });
        return (batcher, writer);
    }
}

/// <summary>The gateway's blocks (<see cref="PipelineGraph.Accept"/>).</summary>
internal sealed record AcceptBlocks(DrainingBatchBlock<AcceptWork>[] Partitions, ActionBlock<List<ReservedBatch>> Publish);

/// <summary>One status event of a delivery on its way to the store: event <see cref="Index"/> of <see cref="Delivery"/>.</summary>
internal readonly record struct StatusItem(StatusEvent Event, StatusDelivery Delivery, int Index);
