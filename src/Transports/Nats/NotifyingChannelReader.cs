using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace SmsGateway.Transports.Nats;

/// <summary>A channel reader that calls back after each item taken, so the fetch loop of <see cref="NatsSubscription"/> learns that room was freed.</summary>
internal sealed class NotifyingChannelReader<T>(ChannelReader<T> inner, Action onRead) : ChannelReader<T>
{
    public override Task Completion => inner.Completion;

    public override bool CanCount => inner.CanCount;

    public override int Count => inner.Count;

    public override bool CanPeek => inner.CanPeek;

    public override bool TryPeek([MaybeNullWhen(false)] out T item) => inner.TryPeek(out item);

    public override bool TryRead([MaybeNullWhen(false)] out T item)
    {
        if (inner.TryRead(out item))
        {
            onRead();
            return true;
        }

        return false;
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);

    public override async ValueTask<T> ReadAsync(CancellationToken cancellationToken = default)
    {
        var item = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        onRead();
        return item;
    }
}
