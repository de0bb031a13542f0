namespace SmsGateway.Accounts;

/// <summary>Per-account settings managed by administrators: allowed sender ids and status callbacks.</summary>
/// <param name="UserId">The account.</param>
/// <param name="AllowedSenders">Sender ids the account may put in <c>"from"</c> (exact, case-sensitive); empty: only the operator's default.</param>
/// <param name="CallbackUrl">Default callback URL when a request has none; null for none.</param>
/// <param name="CallbackSecret">Key of the callbacks' HMAC-SHA256 signature; null: callbacks are sent unsigned.</param>
/// <param name="StoreText">
/// Keep the text of this account's messages in the status store (default false: only metadata). Readable by the account's
/// owner and admins through <c>/report</c>, <c>/messages/{id}</c> and the CSV export; never written to logs (README "Reports").
/// </param>
public sealed record AccountSettings(string UserId, IReadOnlyList<string> AllowedSenders, string? CallbackUrl, string? CallbackSecret, bool StoreText = false)
{
    /// <summary>The settings of an account nobody configured.</summary>
    public static AccountSettings Empty(string userId) => new(userId, [], null, null);

    /// <summary>True when <paramref name="from"/> is one of <see cref="AllowedSenders"/>.</summary>
    public bool Allows(string from) => AllowedSenders.Contains(from, StringComparer.Ordinal);
}
