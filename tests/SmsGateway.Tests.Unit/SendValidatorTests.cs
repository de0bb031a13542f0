using SmsGateway.Accept;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Validation;

namespace SmsGateway.Tests.Unit;

public sealed class SendValidatorTests
{
    private static IReadOnlyDictionary<string, string[]> Validate(SendRequest r, out SmsMessage? m) =>
        SendValidator.Validate(r, OperatorTable.Default, DateTimeOffset.UnixEpoch, out m);

    [Fact]
    public void A_valid_request_is_priced_by_segments_and_operator()
    {
        var errors = Validate(new SendRequest("09211234567", new string('x', 200), "NORMAL", "u-1"), out var m);
        Assert.Empty(errors);
        Assert.Equal("Rightel", m!.Operator);
        Assert.Equal(2, m.Segments);
        Assert.Equal(2 * 1250, m.Cost);
        Assert.Equal(MessageType.Normal, m.Type);
        Assert.Equal(7, m.Id.Version);
    }

    [Theory]
    [InlineData("09311234567", "hi", "express", "u", "phone", "no route")]
    [InlineData("0912", "hi", "express", "u", "phone", "Iranian mobile")]
    [InlineData("09121234567", "", "express", "u", "text", "empty")]
    [InlineData("09121234567", "hi", "urgent", "u", "type", "unknown type")]
    [InlineData("09121234567", "hi", null, "u", "type", "required")]
    [InlineData("09121234567", "hi", "express", null, "user_id", "required")]
    [InlineData("09121234567", "hi", "express", "a b", "user_id", "letters")]
    public void Each_invalid_field_is_named(string? phone, string? text, string? type, string? user, string field, string message)
    {
        var errors = Validate(new SendRequest(phone, text, type, user), out var m);
        Assert.Null(m);
        Assert.Contains(message, Assert.Single(errors[field]), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void More_than_ten_segments_is_refused()
    {
        Assert.Empty(Validate(new SendRequest("09121234567", new string('a', 1530), "normal", "u"), out _));
        Assert.Contains("11 segments", Validate(new SendRequest("09121234567", new string('a', 1531), "normal", "u"), out _)["text"][0], StringComparison.Ordinal);
        Assert.Contains("too long", Validate(new SendRequest("09121234567", new string('a', 100_000), "normal", "u"), out _)["text"][0], StringComparison.Ordinal);
    }
}
