namespace SmsGateway.BlockLists;

/// <summary>One MSISDN on a block list.</summary>
/// <param name="Msisdn">E.164 (<c>+989XXXXXXXXX</c>), as <see cref="Validation.MsisdnNormalizer"/> produces it.</param>
/// <param name="Source"><c>admin</c> (added through the API) or <c>opt-out</c> (the subscriber sent STOP / لغو).</param>
/// <param name="AddedAt">When it was added.</param>
public sealed record BlockedRecipient(string Msisdn, string Source, DateTimeOffset AddedAt)
{
    /// <summary><see cref="Source"/> of an entry added through the admin API.</summary>
    public const string AdminSource = "admin";

    /// <summary><see cref="Source"/> of an entry added by a subscriber's opt-out message.</summary>
    public const string OptOutSource = "opt-out";
}
