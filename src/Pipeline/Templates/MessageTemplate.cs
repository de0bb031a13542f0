namespace SmsGateway.Templates;

/// <summary>
/// A named verification (OTP) text of one account, such as <c>کد تایید شما: {token}</c>, whose <c>{name}</c>
/// placeholders are filled by <c>POST /verify</c>. Checked by <see cref="TemplateRules.Check"/> when saved.
/// </summary>
/// <param name="UserId">The owning account.</param>
/// <param name="Name">1-64 characters of letters, digits, '-', '_' or '.'.</param>
/// <param name="Text">The text with placeholders.</param>
/// <param name="Tokens">Declared tokens by name; each appears in <see cref="Text"/> and nothing else does.</param>
/// <param name="UpdatedAt">When it was last saved.</param>
public sealed record MessageTemplate(string UserId, string Name, string Text, IReadOnlyDictionary<string, TemplateToken> Tokens, DateTimeOffset UpdatedAt);
