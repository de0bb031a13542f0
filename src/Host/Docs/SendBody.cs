using System.Text.Json.Serialization;

namespace SmsGateway.Host.Docs;

/// <summary>
/// Body of <c>POST /send</c> as the OpenAPI document shows it. The handler reads the body field by field (so a problem names
/// the field, and unknown or repeated fields are refused); this type only describes it.
/// </summary>
public sealed class SendBody
{
    /// <summary>Destination: <c>+989…</c>, <c>00989…</c>, <c>989…</c>, <c>09…</c> or <c>9…</c>, Persian/Arabic-Indic digits, spaces and dashes allowed; sent as E.164.</summary>
    [JsonRequired]
    public string Phone { get; init; } = "";

    /// <summary>The text: GSM-7 (160/153 per segment) or UCS-2 (70/67), at most 10 segments; line feed and carriage return allowed.</summary>
    [JsonRequired]
    public string Text { get; init; } = "";

    /// <summary><c>express</c> (dispatched first) or <c>normal</c>.</summary>
    [JsonRequired]
    public string Type { get; init; } = "";

    /// <summary>The paying user (a string, or an integer as the seed sends it); defaults to the caller's own account.</summary>
    public string? UserId { get; init; }

    /// <summary>Sender id: a line number (1-15 digits, optional '+') or 1-11 GSM-7 characters with a letter; must be one of the account's allowed_senders.</summary>
    public string? From { get; init; }

    /// <summary>http/https URL that receives the final statuses (signed POSTs); defaults to the account's callback_url.</summary>
    public string? CallbackUrl { get; init; }
}
