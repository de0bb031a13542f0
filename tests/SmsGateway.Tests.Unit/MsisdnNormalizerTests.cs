using SmsGateway.Validation;

namespace SmsGateway.Tests.Unit;

public sealed class MsisdnNormalizerTests
{
    [Theory]
    [InlineData("+989121234567")]
    [InlineData("00989121234567")]
    [InlineData("989121234567")]
    [InlineData("09121234567")]
    [InlineData("9121234567")]
    [InlineData("0912 123 4567")]
    [InlineData("0912-123-4567")]
    [InlineData("+98 912 123 45 67")]
    [InlineData("۰۹۱۲۱۲۳۴۵۶۷")]
    [InlineData("٠٩١٢١٢٣٤٥٦٧")]
    [InlineData("+۹۸۹۱۲۱۲۳۴۵۶۷")]
    [InlineData("۰۹۱۲-۱۲۳ ۴۵۶۷")]
    public void Every_accepted_form_normalises_to_E164(string input)
    {
        Assert.True(MsisdnNormalizer.TryNormalize(input, out var e164, out var error), error);
        Assert.Equal("+989121234567", e164);
        Assert.Null(error);
        // A number already in E.164 form is its own result (no copy); any other form gets a new string.
        Assert.Equal(input == "+989121234567", ReferenceEquals(input, e164));
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "required")]
    [InlineData("0912123456", "Iranian mobile")]
    [InlineData("091212345678", "Iranian mobile")]
    [InlineData("+449121234567", "+98")]
    [InlineData("02112345678", "not a mobile")]
    [InlineData("0912abc4567", "invalid character")]
    [InlineData("+98912123456", "10 digits")]
    [InlineData("0912+1234567", "invalid character")]
    public void Invalid_numbers_are_refused_with_a_reason(string? input, string reason)
    {
        Assert.False(MsisdnNormalizer.TryNormalize(input, out var e164, out var error));
        Assert.Equal(string.Empty, e164);
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
    }
}
