using SmsGateway.Dispatch;
using SmsGateway.Model;

namespace SmsGateway.Tests.Unit;

/// <summary>An operator that accepts every send after <c>each</c> and counts the sends of each message.</summary>
internal sealed class SlowOperator(TimeSpan each) : IOperatorClient
{
    private readonly CountingOperator _counts = new();

    /// <summary>How many times <paramref name="id"/> was sent.</summary>
    public int Sends(Guid id) => _counts.Sends(id);

    public async ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        await Task.Delay(each, cancellationToken);
        return await _counts.SendAsync(message, cancellationToken);
    }
}
