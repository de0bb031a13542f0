using System.Collections.Concurrent;
using SmsGateway.Dispatch;
using SmsGateway.Model;

namespace SmsGateway.Tests.Unit;

/// <summary>An operator that accepts every send at once and counts the sends of each message.</summary>
internal sealed class CountingOperator : IOperatorClient
{
    private readonly ConcurrentDictionary<Guid, int> _sends = new();

    /// <summary>The first send of each message answers a transient failure.</summary>
    public bool TransientFirst { get; init; }

    /// <summary>How many times <paramref name="id"/> was sent.</summary>
    public int Sends(Guid id) => _sends.GetValueOrDefault(id);

    /// <summary>Sends of all messages together.</summary>
    public int TotalSends => _sends.Values.Sum();

    public ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        var n = _sends.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
        return ValueTask.FromResult(TransientFirst && n == 1
            ? new SendResult(SendOutcome.TransientFailure, "throttled")
            : new SendResult(SendOutcome.Accepted, null, "op-" + message.Id.ToString("N")[..8]));
    }
}
