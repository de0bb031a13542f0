using SmsGateway.Operators.Smpp;
using SmsGateway.Operators.Smpp.Pdu;
using SmsGateway.Operators.Smpp.Submit;

namespace SmsGateway.Tests.Smpp;

/// <summary>validity_period of submit_sm: the time formats of SMPP v3.4 §7.1.1 and the remaining validity on the wire.</summary>
public sealed class ValidityPeriodTests
{
    private static readonly SmppConnectionOptions Options = new() { Host = "h", Port = 1, SystemId = "s", SourceAddr = "3000123" };

    [Theory]
    [InlineData(1, "000000000001000R")]
    [InlineData(60, "000000000100000R")]
    [InlineData(3600, "000000010000000R")]
    [InlineData(90061, "000001010101000R")] // 1 d 1 h 1 min 1 s
    [InlineData(259200, "000003000000000R")] // 72 h, the default maximum
    public void Relative_time_counts_days_hours_minutes_and_seconds(int seconds, string expected) =>
        Assert.Equal(expected, SmppTime.Relative(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Relative_time_rounds_up_to_whole_seconds_and_is_at_least_one_second()
    {
        Assert.Equal("000000000002000R", SmppTime.Relative(TimeSpan.FromMilliseconds(1001)));
        Assert.Equal("000000000001000R", SmppTime.Relative(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmppTime.Relative(TimeSpan.FromDays(100)));
    }

    [Theory]
    [InlineData("2026-12-01T10:00:00.5+03:30", "261201100000514+")] // Tehran: 14 quarter hours ahead of UTC
    [InlineData("2026-12-01T06:30:00Z", "261201063000000+")]
    [InlineData("2027-01-02T03:04:05.9-05:00", "270102030405920-")]
    public void Absolute_time_has_tenths_and_the_offset_in_quarter_hours(string time, string expected) =>
        Assert.Equal(expected, SmppTime.Absolute(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Absolute_time_refuses_an_offset_that_is_not_whole_quarter_hours() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SmppTime.Absolute(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.FromMinutes(10))));

    [Fact]
    public void Submit_sm_carries_the_remaining_validity_and_the_smsc_default_without_one()
    {
        var now = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var message = TestMessages.Message("Hello") with { ValidUntil = now.AddSeconds(125.2) };
        var pdu = Assert.Single(SubmitSmBuilder.Build(message, SourceAddress.Choose(null, Options), Options, 1, now));
        Assert.Equal("000000000206000R", pdu.ValidityPeriod); // 2 min 6 s (125.2 s rounded up)

        Assert.Equal("000000000206000R", RoundTrip(pdu).ValidityPeriod);

        var plain = Assert.Single(SubmitSmBuilder.Build(TestMessages.Message("Hello"), SourceAddress.Choose(null, Options), Options, 1, now));
        Assert.Equal(string.Empty, plain.ValidityPeriod);
        Assert.Equal(string.Empty, RoundTrip(plain).ValidityPeriod);
    }

    private static ShortMessagePdu RoundTrip(ShortMessagePdu pdu)
    {
        var seq = new System.Buffers.ReadOnlySequence<byte>(PduCodec.EncodeShortMessage(CommandId.SubmitSm, 7, pdu));
        Assert.True(PduFrame.TryRead(ref seq, out var frame));
        return PduCodec.DecodeShortMessage(frame.Body);
    }

    [Fact]
    public void A_validity_beyond_the_relative_range_goes_as_absolute_utc()
    {
        var now = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal("270415100000000+", SmppTime.ValidityPeriod(now.AddDays(135), now));
    }
}
