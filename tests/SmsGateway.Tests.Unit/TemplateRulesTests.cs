using SmsGateway.Model;
using SmsGateway.Templates;

namespace SmsGateway.Tests.Unit;

public sealed class TemplateRulesTests
{
    private static Dictionary<string, TemplateToken> Tokens(params (string Name, TokenType Type, int Max)[] tokens) =>
        tokens.ToDictionary(t => t.Name, t => new TemplateToken(t.Type, t.Max));

    [Fact]
    public void The_worst_case_puts_every_token_at_its_longest_and_text_tokens_in_UCS2()
    {
        // 150 GSM-7 characters + 10 digits = 160 septets: one segment; the same with a text token becomes UCS-2, 160 units: 3 segments.
        var text = new string('a', 150) + "{t}";
        Assert.Empty(TemplateRules.Check(text, Tokens(("t", TokenType.Digits, 10)), out var digits));
        Assert.Equal((SmsEncoding.Gsm7, 1), (digits.Encoding, digits.Segments));
        Assert.Empty(TemplateRules.Check(text, Tokens(("t", TokenType.Text, 10)), out var ucs2));
        Assert.Equal((SmsEncoding.Ucs2, 3), (ucs2.Encoding, ucs2.Segments));
        Assert.Empty(TemplateRules.Check(text, Tokens(("t", TokenType.Digits, 11)), out var two));
        Assert.Equal(2, two.Segments);
    }

    [Fact]
    public void More_than_the_segment_limit_is_refused_naming_text()
    {
        var errors = TemplateRules.Check(new string('a', 150) + "{t}", Tokens(("t", TokenType.Text, 60)), out _);
        Assert.Contains("4 UCS-2 segments", Assert.Single(errors["text"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("code {x}", "text")]           // undeclared placeholder
    [InlineData("code {t} {", "text")]         // brace that starts no placeholder
    [InlineData("code } {t}", "text")]         // stray closing brace
    [InlineData("code {1a} {t}", "text")]      // invalid name
    [InlineData("code", "tokens.t")]           // declared but unused
    public void Placeholders_and_tokens_must_match(string text, string field) =>
        Assert.True(TemplateRules.Check(text, Tokens(("t", TokenType.Digits, 6)), out _).ContainsKey(field));

    [Fact]
    public void Fill_checks_each_value_by_type_and_renders_every_placeholder()
    {
        var template = new MessageTemplate("u", "otp", "{code} is your {app} code; again: {code}",
            Tokens(("code", TokenType.Digits, 6), ("app", TokenType.Alphanumeric, 8)), DateTimeOffset.UtcNow);
        var errors = new Dictionary<string, string[]>();
        Assert.Equal("123456 is your Shop1 code; again: 123456",
            TemplateRules.Fill(template, new Dictionary<string, string?> { ["code"] = "۱۲۳٤٥6", ["app"] = "Shop1" }, errors));
        Assert.Empty(errors);

        Assert.Null(TemplateRules.Fill(template, new Dictionary<string, string?> { ["code"] = "12x", ["app"] = "Shop-1", ["zz"] = "1" }, errors));
        Assert.Equal(["tokens.app", "tokens.code", "tokens.zz"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(TokenType.Digits, "0123", true)]
    [InlineData(TokenType.Digits, "12 3", false)]
    [InlineData(TokenType.Alphanumeric, "aB9", true)]
    [InlineData(TokenType.Alphanumeric, "é", false)]
    [InlineData(TokenType.Text, "سلام dear", true)]
    [InlineData(TokenType.Text, "a\nb", false)]
    [InlineData(TokenType.Text, "", false)]
    [InlineData(TokenType.Text, "abcde", false)] // longer than 4
    public void Token_values_follow_their_type_and_length(TokenType type, string value, bool ok) =>
        Assert.Equal(ok, new TemplateToken(type, 4 + (value == "سلام dear" ? 5 : 0)).Check(value, out _) is not null);

    [Fact]
    public void An_unpaired_surrogate_is_not_text() =>
        Assert.Null(new TemplateToken(TokenType.Text, 4).Check("a" + (char)0xD800, out _));
}
