using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace SmsGateway.Transport.InMemory;

/// <summary>
/// The <see cref="IMessageSubscription.Deliveries"/> reader of an in-memory subscription: it reads the group's queue
/// directly and turns each message into a tracked delivery as the consumer takes it.
/// </summary>
/// <remarks>
/// Reading on demand replaced a pump task per subscription that copied every message into a bounded per-member
/// channel: that copy was one more thread hand-off, channel lock and wake-up per delivery (three per message in the
/// embedded graph). Messages not yet taken stay in the group's queue, where every member competes for them.
/// </remarks>
internal sealed class InMemoryDeliveryReader(InMemorySubscription owner) : ChannelReader<IDelivery>
{
    /// <inheritdoc />
    public override Task Completion => owner.Completion;

    /// <inheritdoc />
    public override bool TryRead([MaybeNullWhen(false)] out IDelivery item) => owner.TryTake(out item);

    /// <inheritdoc />
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => owner.WaitToReadAsync(cancellationToken);
}
