namespace SmsGateway.Billing;

/// <summary>A user's ledger, minor currency units.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Available">Spendable now.</param>
/// <param name="Reserved">Held for queued messages.</param>
/// <param name="Spent">Captured for sent messages.</param>
public sealed record Balance(string UserId, long Available, long Reserved, long Spent)
{
    /// <summary>Total ever charged: <c>Available + Reserved + Spent</c>.</summary>
    public long Charged => Available + Reserved + Spent;
}
