using SmsGateway.Billing;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>The dispatch batches: begin-send and settle of many messages, one script call per chunk of items.</summary>
internal sealed partial class RedisBalanceLedger
{
    // Items per script call: bounds the arguments of one EVALSHA (3 per settle item) and the time the server runs it.
    private const int MaxDispatchBatch = 1000;

    /// <summary>
    /// <see cref="IBalanceLedger.BeginSendManyAsync"/> with <c>ledger-begin-send.lua</c>: one script call per 1,000 items
    /// (<see cref="BeginSendAsync"/> is a batch of one). The keys of several users go to one call: the ledger is one Redis
    /// server (<see cref="RedisOptions.LedgerEndpoint"/>), not a Redis Cluster.
    /// </summary>
    public async ValueTask<BeginSendResult[]> BeginSendManyAsync(IReadOnlyList<BeginSendRequest> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new BeginSendResult[items.Count];
        for (var start = 0; start < items.Count; start += MaxDispatchBatch)
        {
            var count = Math.Min(MaxDispatchBatch, items.Count - start);
            var keys = new RedisKey[count];
            var args = new RedisValue[count];
            for (var i = 0; i < count; i++)
            {
                var item = items[start + i];
                ArgumentException.ThrowIfNullOrEmpty(item.UserId, nameof(items));
                ArgumentOutOfRangeException.ThrowIfNegative(item.Attempt, nameof(items));
                keys[i] = ReservationKey(item.UserId, item.MessageId);
                args[i] = item.Attempt;
            }

            var parts = (RedisResult[])(await RunScriptAsync(count == 1 ? "begin_send" : "begin_send_batch", items[start].UserId, LuaScripts.LedgerBeginSend, keys, args, cancellationToken).ConfigureAwait(false))!;
            if (parts.Length != 4 * count)
            {
                throw new LedgerUnavailableException($"ledger begin-send batch script answered {parts.Length} values for {count} messages");
            }

            for (var i = 0; i < count; i++)
            {
                results[start + i] = ToBeginSendResult((long)parts[4 * i], (string?)parts[(4 * i) + 1], (int)parts[(4 * i) + 2], (long)parts[(4 * i) + 3]);
            }
        }

        return results;
    }

    /// <summary>
    /// <see cref="IBalanceLedger.SettleManyAsync"/> with <c>ledger-settle-many.lua</c>: one script call per 1,000 items, each
    /// item as <c>ledger-settle.lua</c> does it (captures record the operator message id <c>o</c>).
    /// </summary>
    public async ValueTask<SettleOutcome[]> SettleManyAsync(IReadOnlyList<SettleRequest> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new SettleOutcome[items.Count];
        for (var start = 0; start < items.Count; start += MaxDispatchBatch)
        {
            var count = Math.Min(MaxDispatchBatch, items.Count - start);
            var keys = new RedisKey[(2 * count) + 1];
            var args = new RedisValue[(3 * count) + 1];
            keys[0] = PendingKey;
            args[0] = _options.SettledReservationTtlSeconds;
            for (var i = 0; i < count; i++)
            {
                var item = items[start + i];
                ArgumentException.ThrowIfNullOrEmpty(item.UserId, nameof(items));
                keys[(2 * i) + 1] = UserKeyBytes(item.UserId);
                keys[(2 * i) + 2] = ReservationKey(item.UserId, item.MessageId);
                args[(3 * i) + 1] = item.Kind == SettleKind.Capture ? Capture : Refund;
                args[(3 * i) + 2] = PendingMember(item.UserId, item.MessageId);
                args[(3 * i) + 3] = item.Kind == SettleKind.Capture ? item.OperatorMessageId ?? string.Empty : string.Empty;
            }

            var codes = (long[])(await RunScriptAsync("settle_batch", items[start].UserId, LuaScripts.LedgerSettleMany, keys, args, cancellationToken).ConfigureAwait(false))!;
            if (codes.Length != count)
            {
                throw new LedgerUnavailableException($"ledger settle batch script answered {codes.Length} codes for {count} messages");
            }

            for (var i = 0; i < count; i++)
            {
                results[start + i] = ToSettleOutcome(codes[i]);
            }
        }

        return results;
    }

    // ageMs: for code 3, ms since the started attempt was recorded by the server's clock; -1 when it was recorded without a time.
    private static BeginSendResult ToBeginSendResult(long code, string? o, int started, long ageMs)
    {
        var operatorMessageId = string.IsNullOrEmpty(o) ? null : o;
        var outcome = code switch
        {
            >= 0 and <= 5 => (BeginSendOutcome)code,
            _ => throw new LedgerUnavailableException($"ledger begin-send script answered unknown code {code}"),
        };
        return new BeginSendResult(outcome, outcome is BeginSendOutcome.AlreadyCaptured or BeginSendOutcome.AttemptStarted ? operatorMessageId : null, started,
            outcome == BeginSendOutcome.AttemptStarted && ageMs >= 0 ? TimeSpan.FromMilliseconds(ageMs) : null);
    }

    private static SettleOutcome ToSettleOutcome(long code) => code switch
    {
        0 => SettleOutcome.Settled,
        1 => SettleOutcome.AlreadySettled,
        2 => SettleOutcome.SettledOtherwise,
        3 => SettleOutcome.NotReserved,
        _ => throw new LedgerUnavailableException($"ledger settle script answered unknown code {code}"),
    };
}
