namespace SmsGateway.Templates;

/// <summary>What a template token may hold (README "Verification templates").</summary>
public enum TokenType
{
    /// <summary>ASCII digits 0-9; Persian (۰-۹) and Arabic-Indic (٠-٩) digits are accepted and sent as ASCII.</summary>
    Digits,

    /// <summary>ASCII letters and digits.</summary>
    Alphanumeric,

    /// <summary>Any text without control characters (may make the message UCS-2).</summary>
    Text,
}
