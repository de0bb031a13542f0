using SmsGateway.BlockLists;

namespace SmsGateway.Tests.Unit;

public sealed class OptOutKeywordsTests
{
    [Theory]
    [InlineData("STOP")]
    [InlineData("stop")]
    [InlineData("  Stop \n")]
    [InlineData("لغو")]
    [InlineData("\u200cلغو\u200c")]
    [InlineData("لغو 1")]
    [InlineData("لغو۱")]
    [InlineData("لغو ١٢")]
    [InlineData("STOP2")]
    public void Opt_out_messages_are_recognised(string text) => Assert.True(OptOutKeywords.IsOptOut(text));

    [Theory]
    [InlineData("stop it please")]
    [InlineData("لغو شد")]
    [InlineData("unstop")]
    [InlineData("STOPPED")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("سلام")]
    public void Other_messages_are_not(string? text) => Assert.False(OptOutKeywords.IsOptOut(text));
}
