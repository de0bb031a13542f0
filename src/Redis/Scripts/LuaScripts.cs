using System.Reflection;

namespace SmsGateway.Redis;

/// <summary>The Lua scripts embedded from <c>Scripts/*.lua</c> (each file documents its KEYS, ARGV and reply), called by hash (<see cref="RedisScript"/>).</summary>
internal static class LuaScripts
{
    public static readonly RedisScript LedgerCharge = Load("ledger-charge.lua");
    public static readonly RedisScript LedgerReserve = Load("ledger-reserve.lua");
    public static readonly RedisScript LedgerSettle = Load("ledger-settle.lua");
    public static readonly RedisScript LockFence = Load("lock-fence.lua");
    public static readonly RedisScript IdempotencyClaim = Load("idempotency-claim.lua");
    public static readonly RedisScript IdempotencyComplete = Load("idempotency-complete.lua");
    public static readonly RedisScript IdempotencyRelease = Load("idempotency-release.lua");
    public static readonly RedisScript LedgerConfirm = Load("ledger-confirm.lua");
    public static readonly RedisScript LedgerSweepDue = Load("ledger-sweep-due.lua");
    public static readonly RedisScript LedgerSweep = Load("ledger-sweep.lua");
    public static readonly RedisScript LedgerCancel = Load("ledger-cancel.lua");
    public static readonly RedisScript LedgerBeginSend = Load("ledger-begin-send.lua");
    public static readonly RedisScript LedgerSettleMany = Load("ledger-settle-many.lua");

    /// <summary>The account rate limiter's GCRA script (<c>Access/gcra.lua</c>, <see cref="RedisAccountRateLimiter"/>).</summary>
    public static readonly RedisScript AccountRateLimit = LoadResource("SmsGateway.Redis.Access.gcra.lua");

    /// <summary>
    /// Every script the gateway calls, this file's and the account rate limiter's, in no particular order: loaded with
    /// <c>SCRIPT LOAD</c> when a ledger or idempotency connection opens or is restored (<see cref="RedisConnections"/>), so
    /// the first calls after a start or a server restart find them and are not answered <c>NOSCRIPT</c>.
    /// </summary>
    public static IReadOnlyList<RedisScript> All { get; } =
    [
        LedgerCharge, LedgerReserve, LedgerSettle, LockFence, IdempotencyClaim, IdempotencyComplete, IdempotencyRelease,
        LedgerConfirm, LedgerSweepDue, LedgerSweep, LedgerCancel, LedgerBeginSend, LedgerSettleMany, AccountRateLimit,
    ];

    private static RedisScript Load(string file) => LoadResource("SmsGateway.Redis.Scripts." + file);

    private static RedisScript LoadResource(string name)
    {
        using var stream = typeof(LuaScripts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded script {name} is missing from {typeof(LuaScripts).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return new RedisScript(reader.ReadToEnd());
    }
}
