using Microsoft.Extensions.Logging;
using SmsGateway.Accounts;
using SmsGateway.BlockLists;
using SmsGateway.Operators.Smpp;
using SmsGateway.Validation;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Turns an inbound opt-out (<see cref="OptOutKeywords"/>: "STOP", "لغو") from an operator's SMPP <c>deliver_sm</c> into a
/// block-list entry. The account is the owner of the line the subscriber wrote to: every account whose
/// <c>allowed_senders</c> contain the <c>destination_addr</c> (as sent, with or without a leading '+' or "00"). A message to a
/// line no account owns (for example an operator's shared default <c>source_addr</c>) is logged and changes nothing: an admin
/// decides whether it belongs on the global list. The sender's number is normalised to E.164 as <c>/send</c> does.
/// </summary>
/// <remarks>Thread-safe; called from SMPP read loops. A store failure throws, so the SMSC gets ESME_RX_T_APPN and sends the message again.</remarks>
public sealed class OptOutHandler(IAccountSettingsStore accounts, RecipientBlockCheck blocks, ILogger<OptOutHandler> logger) : IMobileOriginatedHandler
{
    /// <inheritdoc />
    public async ValueTask OnMessageAsync(MobileOriginatedMessage message, CancellationToken cancellationToken)
    {
        if (!OptOutKeywords.IsOptOut(message.Text))
        {
            BlockListLog.NotAnOptOut(logger, message.Source, message.Destination, message.Operator, message.Text.Length);
            return;
        }

        if (!MsisdnNormalizer.TryNormalize(message.Source, out var msisdn, out _))
        {
            BlockListLog.OptOutIgnored(logger, message.Source, message.Destination, message.Operator, "the sender is not an Iranian mobile number");
            return;
        }

        var owners = await accounts.FindAccountsBySenderAsync(LineForms(message.Destination), cancellationToken);
        if (owners.Count == 0)
        {
            BlockListLog.OptOutIgnored(logger, msisdn, message.Destination, message.Operator, "no account has this line in its allowed_senders");
            return;
        }

        foreach (var user in owners)
        {
            await blocks.AddAsync(user, new BlockedRecipient(msisdn, BlockedRecipient.OptOutSource, message.ReceivedAt.ToUniversalTime()), cancellationToken);
            BlockListLog.OptedOut(logger, msisdn, message.Destination, message.Operator, user);
        }
    }

    /// <summary>The spellings of a line number an account may have registered: as sent, with '+', and without '+' or "00".</summary>
    internal static IReadOnlyList<string> LineForms(string destination)
    {
        var bare = destination.TrimStart('+');
        if (bare.StartsWith("00", StringComparison.Ordinal))
        {
            bare = bare[2..];
        }

        return bare.Length > 0 && bare.All(char.IsAsciiDigit)
            ? new[] { destination, bare, "+" + bare, "00" + bare }.Distinct(StringComparer.Ordinal).ToArray()
            : [destination];
    }
}
