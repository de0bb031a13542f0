using SmsGateway.Segmentation;
using SmsGateway.Model;

namespace SmsGateway.Tests.Unit;

public sealed class SegmentCalculatorTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(1530, 10)]
    [InlineData(1531, 11)]
    public void Gsm7_single_is_160_and_parts_are_153(int length, int segments)
    {
        var info = SegmentCalculator.Analyze(new string('a', length));
        Assert.Equal(SmsEncoding.Gsm7, info.Encoding);
        Assert.Equal(segments, info.Segments);
        Assert.Equal(length, info.Units);
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void Ucs2_single_is_70_and_parts_are_67(int length, int segments)
    {
        var info = SegmentCalculator.Analyze(new string('ب', length));
        Assert.Equal(SmsEncoding.Ucs2, info.Encoding);
        Assert.Equal(segments, info.Segments);
    }

    [Fact]
    public void Extension_characters_cost_two_septets()
    {
        Assert.Equal(new SegmentInfo(SmsEncoding.Gsm7, 1, 160), SegmentCalculator.Analyze(new string('€', 80)));
        Assert.Equal(2, SegmentCalculator.Analyze(new string('€', 81)).Segments);
        Assert.Equal(20, SegmentCalculator.Analyze("{}[]~|^\\\f€").Units);
    }

    [Fact]
    public void An_escape_sequence_is_never_split_across_parts()
    {
        // 306 septets would fit two parts of 153, but the € would straddle the boundary, so it moves and a third part is needed.
        var text = new string('a', 152) + "€" + new string('a', 152);
        Assert.Equal(3, SegmentCalculator.Analyze(text).Segments);
        var parts = SegmentCalculator.Split(text);
        Assert.Equal(3, parts.Count);
        Assert.Equal(new string('a', 152), parts[0]);
        Assert.StartsWith("€", parts[1], StringComparison.Ordinal);
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void A_surrogate_pair_is_never_split_across_parts()
    {
        var text = new string('ب', 66) + "😀" + new string('ب', 66);
        Assert.Equal(134, text.Length);
        Assert.Equal(3, SegmentCalculator.Analyze(text).Segments);
        var parts = SegmentCalculator.Split(text);
        Assert.Equal(3, parts.Count);
        Assert.All(parts, p => Assert.False(char.IsHighSurrogate(p[^1]), "a part ends with half an emoji"));
        Assert.All(parts, p => Assert.True(p.Length <= SegmentCalculator.Ucs2Part));
        Assert.Equal(text, string.Concat(parts));
    }

    [Theory]
    [InlineData("کد تایید: 1234", SmsEncoding.Ucs2, 1)]
    [InlineData("Your code is 1234", SmsEncoding.Gsm7, 1)]
    [InlineData("Price: 5€ {promo}", SmsEncoding.Gsm7, 1)]
    [InlineData("Ünïcödé", SmsEncoding.Ucs2, 1)]
    [InlineData("ΔΦΓ àèé ÄÖÑÜ §¿¡", SmsEncoding.Gsm7, 1)]
    [InlineData("hi 😀", SmsEncoding.Ucs2, 1)]
    public void Encoding_is_chosen_by_alphabet(string text, SmsEncoding encoding, int segments)
    {
        var info = SegmentCalculator.Analyze(text);
        Assert.Equal(encoding, info.Encoding);
        Assert.Equal(segments, info.Segments);
    }

    [Fact]
    public void Split_parts_respect_the_limits_for_random_texts()
    {
        var random = new Random(42);
        const string alphabet = "abc €{}ب😀";
        for (int i = 0; i < 500; i++)
        {
            var chars = new System.Text.StringBuilder();
            int len = random.Next(1, 700);
            while (chars.Length < len)
            {
                int k = random.Next(alphabet.Length);
                chars.Append(char.IsSurrogate(alphabet[k]) ? "😀" : alphabet[k].ToString());
            }

            var text = chars.ToString();
            var info = SegmentCalculator.Analyze(text);
            var parts = SegmentCalculator.Split(text);
            Assert.Equal(info.Segments, parts.Count);
            Assert.Equal(text, string.Concat(parts));
        }
    }
}
