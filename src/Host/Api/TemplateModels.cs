using SmsGateway.Model;
using SmsGateway.Templates;

namespace SmsGateway.Host.Api;

/// <summary>One declared token of a template answer.</summary>
public sealed record TokenView(string Type, int MaxLength);

/// <summary>Answer of the template endpoints.</summary>
/// <param name="UserId">The owning account.</param>
/// <param name="Name">The template's name.</param>
/// <param name="Text">The text with its <c>{name}</c> placeholders.</param>
/// <param name="Tokens">Declared tokens by name.</param>
/// <param name="MaxSegments">Segments of the text with every token at its longest.</param>
/// <param name="Encoding"><c>GSM-7</c> or <c>UCS-2</c> in that worst case.</param>
/// <param name="UpdatedAt">When it was last saved.</param>
public sealed record TemplateView(string UserId, string Name, string Text, IReadOnlyDictionary<string, TokenView> Tokens, int MaxSegments,
    string Encoding, DateTimeOffset UpdatedAt)
{
    internal static TemplateView From(MessageTemplate t)
    {
        TemplateRules.Check(t.Text, t.Tokens, out var worst);
        return new TemplateView(t.UserId, t.Name, t.Text,
            t.Tokens.ToDictionary(kv => kv.Key, kv => new TokenView(TemplateToken.WireName(kv.Value.Type), kv.Value.MaxLength), StringComparer.Ordinal),
            worst.Segments, worst.Encoding.ToWireName(), t.UpdatedAt);
    }
}

/// <summary>Answer of <c>GET /accounts/{userId}/templates</c>.</summary>
public sealed record TemplateList(string UserId, IReadOnlyList<TemplateView> Templates);

/// <summary>Body of <c>PUT /accounts/{userId}/templates/{name}</c> (documentation shape; the body is read field by field).</summary>
/// <param name="Text">The text, e.g. <c>کد تایید شما: {token}</c>.</param>
/// <param name="Tokens">Token name → type (<c>digits</c>, <c>alphanumeric</c>, <c>text</c>) as a string, or an object <c>{"type","max_length"}</c>.</param>
public sealed record TemplateBody(string Text, IReadOnlyDictionary<string, System.Text.Json.JsonElement> Tokens);

/// <summary>Body of <c>POST /verify</c> (documentation shape; the body is read field by field).</summary>
/// <param name="Template">The name of one of the account's templates.</param>
/// <param name="Phone">Destination in any accepted Iranian form.</param>
/// <param name="Tokens">Token name → value (a string; digits may also be a JSON integer).</param>
/// <param name="UserId">The paying account; defaults to the caller's own.</param>
public sealed record VerifyBody(string Template, string Phone, IReadOnlyDictionary<string, string> Tokens, string? UserId);

/// <summary>One entry of a block list answer.</summary>
public sealed record BlockedView(string Msisdn, string Source, DateTimeOffset AddedAt);

/// <summary>Answer of the block list endpoints: <c>list</c> is the user id, or <c>global</c>.</summary>
public sealed record BlockListView(string List, IReadOnlyList<BlockedView> Entries);
