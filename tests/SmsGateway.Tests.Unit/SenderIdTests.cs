using SmsGateway.Accept;
using SmsGateway.Routing;
using SmsGateway.Validation;

namespace SmsGateway.Tests.Unit;

public sealed class SenderIdTests
{
    [Theory]
    [InlineData("3000123", SenderKind.Numeric)]
    [InlineData("+989121234567", SenderKind.Numeric)]
    [InlineData("123456789012345", SenderKind.Numeric)]
    [InlineData("MyShop", SenderKind.Alphanumeric)]
    [InlineData("Bank-Melli1", SenderKind.Alphanumeric)]
    [InlineData("1234567890123456", null)] // 16 digits
    [InlineData("ABCDEFGHIJKL", null)] // 12 characters
    [InlineData("فروشگاه", null)] // not GSM-7
    [InlineData("Shop[1]", null)] // extension table: two septets each
    [InlineData(" Shop", null)]
    [InlineData("", null)]
    [InlineData("+", null)]
    public void Senders_are_line_numbers_or_short_gsm7_names(string from, SenderKind? expected) =>
        Assert.Equal(expected, SenderId.Classify(from));

    [Fact]
    public void A_malformed_from_is_a_field_error_and_a_valid_one_travels_on_the_message()
    {
        var now = DateTimeOffset.UtcNow;
        var bad = SendValidator.Validate(new SendRequest("09121234567", "hi", "normal", "u1", From: "ABCDEFGHIJKLMNOP"), OperatorTable.Default, now, out _);
        Assert.Contains("from", bad.Keys);

        var ok = SendValidator.Validate(new SendRequest("09121234567", "hi", "normal", "u1", From: "MyShop", CallbackUrl: "https://example.com/cb"), OperatorTable.Default, now, out var message);
        Assert.Empty(ok);
        Assert.Equal("MyShop", message!.From);
        Assert.Equal("https://example.com/cb", message.CallbackUrl);
    }

    [Fact]
    public void From_and_callback_url_survive_the_wire_and_old_payloads_without_them_still_decode()
    {
        SendValidator.Validate(new SendRequest("09121234567", "hi", "normal", "u1", From: "3000123", CallbackUrl: "https://example.com/cb"), OperatorTable.Default, DateTimeOffset.UtcNow, out var message);
        var decoded = Serialization.PipelineJson.DeserializeMessage(Serialization.PipelineJson.Serialize(message!));
        Assert.Equal(message, decoded);

        const string old = """{"id":"0190a0b0-0000-7000-8000-000000000001","user_id":"u","msisdn":"+989121234567","text":"x","type":"Normal","operator":"MCI","encoding":"Gsm7","segments":1,"cost":1,"accepted_at":"2026-01-01T00:00:00+00:00","attempt":1,"not_before":null}""";
        var legacy = Serialization.PipelineJson.DeserializeMessage(System.Text.Encoding.UTF8.GetBytes(old));
        Assert.Null(legacy.From);
        Assert.Null(legacy.CallbackUrl);
    }
}
