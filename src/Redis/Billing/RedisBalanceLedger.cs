using System.Text;
using Microsoft.Extensions.Logging;
using SmsGateway.Billing;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// <see cref="IBalanceLedger"/> on one Redis server; every mutation is one Lua script (Scripts/ledger-*.lua), so the
/// invariant <c>available + reserved + spent == charged</c> holds after every call and no field goes negative.
/// </summary>
/// <remarks>
/// Keys (user id as hash tag, so one user's keys share a cluster slot): <c>{prefix}ledger:{user}</c> hash with
/// <c>available, reserved, spent, charged, fence</c>; <c>{prefix}ledger:{user}:r:{messageId}</c> hash per reservation
/// (<c>s</c> = R/C/F, <c>a</c> = amount, <c>n</c> = attempt whose send started, <c>o</c> = operator message id, <c>k</c> = stored), kept <see cref="RedisOptions.SettledReservationTtlSeconds"/> after settling;
/// <c>{prefix}ledger:{user}:c:{chargeId}</c> charge marker kept <see cref="RedisOptions.ChargeIdTtlSeconds"/>.
/// A reservation hash also carries <c>t</c> (reserve time, ms since the Unix epoch, the ledger server's clock), <c>k</c> = 1 once
/// its message is stored (<see cref="ConfirmAsync"/>, or the dispatch begin-send), <c>e</c> = 1 when the expiry sweep refunded it.
/// <c>{prefix}ledger:pending</c> is the pending index, one sorted set for all users (member <c>{user}|{messageId:N}</c>, score
/// <c>t</c>): reserve adds, confirm, capture, refund and the sweep remove. It lies outside the users' hash tags, so the
/// scripts need the ledger on one Redis server (as <see cref="RedisOptions.LedgerEndpoint"/> is), not a Redis Cluster.
/// Amounts are limited to 2^53 − 1 minor units in total (Lua numbers are doubles). Thread-safe.
/// </remarks>
internal sealed partial class RedisBalanceLedger : IBalanceLedger
{
    internal const long MaxAmount = 9_007_199_254_740_991; // 2^53 - 1

    private static readonly RedisValue[] BalanceFields = ["available", "reserved", "spent"];
    private static readonly RedisValue Capture = "C";
    private static readonly RedisValue Refund = "F";
    private const int MaxConfirmBatch = 1000; // Lua's unpack limit (about 8,000 values) bounds one script call

    private readonly Task<ConnectionMultiplexer> _server;
    private readonly string _endpoint;
    private readonly RedisOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _userKeyPrefix; // "{prefix}ledger:{" as UTF-8
    private readonly RedisKey _pendingKey;

    /// <param name="server">The ledger's connection; its AsyncTimeout (<see cref="RedisOptions.OperationTimeoutMs"/>) limits every call.</param>
    /// <param name="options">Key prefix and retention times.</param>
    /// <param name="logger">Failed calls.</param>
    public RedisBalanceLedger(Task<ConnectionMultiplexer> server, RedisOptions options, ILogger logger)
    {
        _server = server;
        _endpoint = options.LedgerEndpoint;
        _options = options;
        _logger = logger;
        _userKeyPrefix = Encoding.UTF8.GetBytes(options.KeyPrefix + "ledger:{");
        _pendingKey = options.KeyPrefix + "ledger:pending";
    }

    public async ValueTask<Balance> ChargeAsync(string userId, long amount, string chargeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(chargeId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(amount, MaxAmount);
        var user = UserKey(userId);
        var result = await RunScriptAsync(
            "charge",
            userId,
            LuaScripts.LedgerCharge,
            [user, (RedisKey)(user + ":c:" + chargeId)],
            [amount, _options.ChargeIdTtlSeconds],
            cancellationToken).ConfigureAwait(false);
        return ToBalance(userId, (RedisValue[])result!);
    }

    public async ValueTask<ReserveOutcome[]> ReserveAsync(string userId, IReadOnlyList<Reservation> reservations, long fencingToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(reservations);
        if (reservations.Count == 0)
        {
            return [];
        }

        var user = UserKey(userId);
        var keys = new RedisKey[reservations.Count + 2];
        var args = new RedisValue[reservations.Count + 2];
        keys[0] = user;
        args[0] = fencingToken;
        keys[^1] = PendingKey;
        args[^1] = userId;
        for (var i = 0; i < reservations.Count; i++)
        {
            var r = reservations[i];
            if (r.Amount is < 0 or > MaxAmount)
            {
                throw new ArgumentOutOfRangeException(nameof(reservations), r.Amount, $"reservation {r.MessageId}: amount must be 0..2^53-1 minor units");
            }

            keys[i + 1] = ReservationKey(userId, r.MessageId);
            args[i + 1] = r.Amount;
        }

        var result = await RunScriptAsync("reserve", userId, LuaScripts.LedgerReserve, keys, args, cancellationToken).ConfigureAwait(false);
        var codes = (long[])result!;
        var outcomes = new ReserveOutcome[reservations.Count];
        if (codes.Length == 1 && codes[0] == -1)
        {
            RedisLog.StaleToken(_logger, userId, fencingToken);
            Array.Fill(outcomes, ReserveOutcome.StaleFencingToken);
            return outcomes;
        }

        if (codes.Length != outcomes.Length)
        {
            throw new LedgerUnavailableException($"ledger reserve script answered {codes.Length} codes for {outcomes.Length} messages");
        }

        for (var i = 0; i < codes.Length; i++)
        {
            outcomes[i] = codes[i] switch
            {
                0 => ReserveOutcome.Reserved,
                1 => ReserveOutcome.AlreadyReserved,
                2 => ReserveOutcome.InsufficientFunds,
                _ => throw new LedgerUnavailableException($"ledger reserve script answered unknown code {codes[i]}"),
            };
        }

        return outcomes;
    }

    public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, CancellationToken cancellationToken)
        => SettleAsync("capture", userId, messageId, Capture, cancellationToken);

    public ValueTask<SettleOutcome> RefundAsync(string userId, Guid messageId, CancellationToken cancellationToken)
        => SettleAsync("refund", userId, messageId, Refund, cancellationToken);

    public async ValueTask<Balance> GetBalanceAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var user = UserKey(userId);
        try
        {
            var values = await (await DatabaseAsync().ConfigureAwait(false)).HashGetAsync(user, BalanceFields).WaitAsync(cancellationToken).ConfigureAwait(false);
            return ToBalance(userId, values);
        }
        catch (Exception ex) when (RedisCallFailure.Is(ex, cancellationToken))
        {
            RedisLog.LedgerFailed(_logger, ex, "balance", userId);
            throw new LedgerUnavailableException($"ledger {_endpoint} unavailable (balance of {userId}): {ex.Message}", ex);
        }
    }

    public async ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var user = UserKey(userId);
        var result = await RunScriptAsync("cancel", userId, LuaScripts.LedgerCancel, [user, ReservationKey(userId, messageId)],
            [_options.SettledReservationTtlSeconds], cancellationToken).ConfigureAwait(false);
        return (long)result switch
        {
            0 => CancelOutcome.Canceled,
            1 => CancelOutcome.SendingStarted,
            2 => CancelOutcome.AlreadySettled,
            3 => CancelOutcome.NotReserved,
            var code => throw new LedgerUnavailableException($"ledger cancel script answered unknown code {code}"),
        };
    }

    public async ValueTask<BeginSendResult> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken)
        => (await BeginSendManyAsync([new BeginSendRequest(userId, messageId, attempt)], cancellationToken).ConfigureAwait(false))[0];

    public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken)
        => SettleAsync("capture", userId, messageId, Capture, cancellationToken, operatorMessageId);

    internal string UserKey(string userId) => _options.KeyPrefix + "ledger:{" + userId + "}";

    /// <summary>The pending index (sorted set of unconfirmed reservations, scored by reserve time in ms).</summary>
    internal RedisKey PendingKey => _pendingKey;

    // The per-message keys and pending-index members are written as UTF-8 bytes in one pass: one array each, instead of the
    // user key, the id's text and their concatenation as strings that StackExchange.Redis then encodes again when it
    // writes the command (bench/README "Ledger keys written as bytes"). The bytes are those of the forms in the remarks.
    private RedisKey UserKeyBytes(string userId) => Utf8Key(_userKeyPrefix, userId, "}"u8, null);

    private RedisKey ReservationKey(string userId, Guid messageId) => Utf8Key(_userKeyPrefix, userId, "}:r:"u8, messageId);

    internal static RedisValue PendingMember(string userId, Guid messageId) => Utf8Key([], userId, "|"u8, messageId);

    // head + userId + separator + the id as 32 hex digits ("N"), when there is one.
    private static byte[] Utf8Key(ReadOnlySpan<byte> head, string userId, ReadOnlySpan<byte> separator, Guid? messageId)
    {
        var bytes = new byte[head.Length + Encoding.UTF8.GetByteCount(userId) + separator.Length + (messageId is null ? 0 : 32)];
        var span = bytes.AsSpan();
        head.CopyTo(span);
        var n = head.Length + Encoding.UTF8.GetBytes(userId, span[head.Length..]);
        separator.CopyTo(span[n..]);
        if (messageId is { } id && !id.TryFormat(span[(n + separator.Length)..], out _, "N"))
        {
            throw new InvalidOperationException("a message id did not fit its 32 bytes"); // cannot happen: "N" is 32 digits
        }

        return bytes;
    }

    private async ValueTask<SettleOutcome> SettleAsync(string operation, string userId, Guid messageId, RedisValue how, CancellationToken cancellationToken, string? operatorMessageId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var user = UserKey(userId);
        var result = await RunScriptAsync(
            operation,
            userId,
            LuaScripts.LedgerSettle,
            [user, ReservationKey(userId, messageId), PendingKey],
            operatorMessageId is null
                ? [how, _options.SettledReservationTtlSeconds, PendingMember(userId, messageId)]
                : [how, _options.SettledReservationTtlSeconds, PendingMember(userId, messageId), operatorMessageId],
            cancellationToken).ConfigureAwait(false);
        return ToSettleOutcome((long)result);
    }

    /// <summary>The database once the first connection attempt has ended (at once after that).</summary>
    private async ValueTask<IDatabase> DatabaseAsync()
        => _server.IsCompletedSuccessfully ? _server.Result.GetDatabase() : (await _server.ConfigureAwait(false)).GetDatabase();

    private async Task<RedisResult> RunScriptAsync(string operation, string userId, RedisScript script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        try
        {
            // EVALSHA, and the whole script again on NOSCRIPT (restart, SCRIPT FLUSH).
            return await script.EvaluateAsync(await DatabaseAsync().ConfigureAwait(false), keys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisCallFailure.Is(ex, cancellationToken))
        {
            RedisLog.LedgerFailed(_logger, ex, operation, userId);
            throw new LedgerUnavailableException($"ledger {_endpoint} unavailable ({operation} for {userId}): {ex.Message}", ex);
        }
    }

    private static Balance ToBalance(string userId, RedisValue[] values)
    {
        static long Read(RedisValue v) => v.IsNull ? 0 : (long)v;
        return new Balance(userId, Read(values[0]), Read(values[1]), Read(values[2]));
    }

    public ValueTask<ConfirmOutcome[]> ConfirmAsync(string userId, IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(messageIds);
        var items = new ConfirmRequest[messageIds.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = new ConfirmRequest(userId, messageIds[i]);
        }

        return ConfirmManyAsync(items, cancellationToken);
    }

    /// <summary>
    /// One <c>ledger-confirm.lua</c> call per 1,000 items, whatever their users: the script reads and
    /// writes only the reservation hashes and the pending index, all on the ledger's one server.
    /// </summary>
    public async ValueTask<ConfirmOutcome[]> ConfirmManyAsync(IReadOnlyList<ConfirmRequest> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var outcomes = new ConfirmOutcome[items.Count];
        for (var start = 0; start < items.Count; start += MaxConfirmBatch)
        {
            var count = Math.Min(MaxConfirmBatch, items.Count - start);
            var keys = new RedisKey[count + 1];
            var args = new RedisValue[count];
            keys[0] = PendingKey;
            for (var i = 0; i < count; i++)
            {
                var item = items[start + i];
                ArgumentException.ThrowIfNullOrEmpty(item.UserId, nameof(items));
                keys[i + 1] = ReservationKey(item.UserId, item.MessageId);
                args[i] = PendingMember(item.UserId, item.MessageId);
            }

            var codes = (long[])(await RunScriptAsync("confirm", items[start].UserId, LuaScripts.LedgerConfirm, keys, args, cancellationToken).ConfigureAwait(false))!;
            if (codes.Length != count)
            {
                throw new LedgerUnavailableException($"ledger confirm script answered {codes.Length} codes for {count} messages");
            }

            for (var i = 0; i < count; i++)
            {
                outcomes[start + i] = codes[i] switch
                {
                    0 => ConfirmOutcome.Confirmed,
                    1 => ConfirmOutcome.AlreadySettled,
                    2 => ConfirmOutcome.Expired,
                    3 => ConfirmOutcome.NotReserved,
                    _ => throw new LedgerUnavailableException($"ledger confirm script answered unknown code {codes[i]}"),
                };
            }
        }

        return outcomes;
    }

    public async ValueTask<ReservationSweep> SweepExpiredAsync(TimeSpan confirmDeadline, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(confirmDeadline, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var deadlineMs = (long)Math.Ceiling(confirmDeadline.TotalMilliseconds);
        var due = (RedisValue[])(await RunScriptAsync("sweep", "*", LuaScripts.LedgerSweepDue, [PendingKey], [deadlineMs, maxCount], cancellationToken).ConfigureAwait(false))!;
        if (due.Length == 0)
        {
            return new ReservationSweep([], 0);
        }

        var entries = new List<(string UserId, Guid MessageId, RedisValue Member)>(due.Length);
        foreach (var member in due)
        {
            var text = (string?)member ?? string.Empty;
            var bar = text.LastIndexOf('|');
            if (bar <= 0 || !Guid.TryParseExact(text.AsSpan(bar + 1), "N", out var messageId))
            {
                // Not written by ledger-reserve.lua; drop it so it cannot hold up the oldest-first listing forever.
                RedisLog.MalformedPendingEntry(_logger, text);
                await (await DatabaseAsync().ConfigureAwait(false)).SortedSetRemoveAsync(PendingKey, member).WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            entries.Add((text[..bar], messageId, member));
        }

        var keys = new RedisKey[(entries.Count * 2) + 1];
        var args = new RedisValue[entries.Count + 2];
        keys[0] = PendingKey;
        args[0] = deadlineMs;
        args[1] = _options.SettledReservationTtlSeconds;
        for (var i = 0; i < entries.Count; i++)
        {
            keys[(2 * i) + 1] = UserKeyBytes(entries[i].UserId);
            keys[(2 * i) + 2] = ReservationKey(entries[i].UserId, entries[i].MessageId);
            args[i + 2] = entries[i].Member;
        }

        var refunded = new List<ExpiredReservation>();
        if (entries.Count > 0)
        {
            var codes = (long[])(await RunScriptAsync("sweep", "*", LuaScripts.LedgerSweep, keys, args, cancellationToken).ConfigureAwait(false))!;
            if (codes.Length != entries.Count * 3)
            {
                throw new LedgerUnavailableException($"ledger sweep script answered {codes.Length} values for {entries.Count} entries");
            }

            for (var i = 0; i < entries.Count; i++)
            {
                if (codes[3 * i] == 0)
                {
                    refunded.Add(new ExpiredReservation(entries[i].UserId, entries[i].MessageId, codes[(3 * i) + 1],
                        DateTimeOffset.FromUnixTimeMilliseconds(codes[(3 * i) + 2])));
                }
            }
        }

        return new ReservationSweep(refunded, due.Length);
    }
}
