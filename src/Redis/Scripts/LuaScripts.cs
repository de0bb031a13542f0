using System.Reflection;

namespace SmsGateway.Redis;

/// <summary>The Lua scripts embedded from <c>Scripts/*.lua</c> (each file documents its KEYS, ARGV and reply).</summary>
internal static class LuaScripts
{
    public static readonly string LedgerCharge = Load("ledger-charge.lua");
    public static readonly string LedgerReserve = Load("ledger-reserve.lua");
    public static readonly string LedgerSettle = Load("ledger-settle.lua");
    public static readonly string LockFence = Load("lock-fence.lua");
    public static readonly string IdempotencyClaim = Load("idempotency-claim.lua");
    public static readonly string IdempotencyComplete = Load("idempotency-complete.lua");
    public static readonly string IdempotencyRelease = Load("idempotency-release.lua");
    public static readonly string LedgerConfirm = Load("ledger-confirm.lua");
    public static readonly string LedgerSweepDue = Load("ledger-sweep-due.lua");
    public static readonly string LedgerSweep = Load("ledger-sweep.lua");
    public static readonly string LedgerCancel = Load("ledger-cancel.lua");
    public static readonly string LedgerBeginSend = Load("ledger-begin-send.lua");
    public static readonly string LedgerSettleMany = Load("ledger-settle-many.lua");

    private static string Load(string file)
    {
        var name = "SmsGateway.Redis.Scripts." + file;
        using var stream = typeof(LuaScripts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded script {name} is missing from {typeof(LuaScripts).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
