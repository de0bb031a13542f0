using System.Text;

namespace SmsGateway.Load.Generation;

/// <summary>
/// Makes Latin (GSM-7, with extension characters such as €{}[]) and Persian (UCS-2) texts of a wanted number of segments.
/// The segment count actually reached is computed by <see cref="SegmentCount.Of"/>, which is the expectation written to the file.
/// Not thread-safe.
/// </summary>
public sealed class TextFactory(Random rng)
{
    private static readonly string[] LatinWords =
        ["your", "code", "is", "order", "shipped", "balance", "payment", "received", "thanks", "account", "login", "from", "new", "device",
         "ref", "total", "IRR", "reply", "STOP", "to", "cancel", "meeting", "at", "10:30", "Tehran", "Mashhad", "Isfahan", "offer", "50%", "off",
         "€5", "{id}", "[ok]", "a|b", "~x", "^", "\\n", "@home", "£", "Ñandu", "Ørsted", "élan"];

    private static readonly string[] PersianWords =
        ["سلام", "کد", "تایید", "شما", "حساب", "بانک", "پرداخت", "موفق", "مبلغ", "ریال", "برداشت", "شد", "رمز", "یکبار", "مصرف", "سفارش",
         "ارسال", "گردید", "تهران", "اصفهان", "مشهد", "پیام", "جلسه", "ساعت", "فردا", "تخفیف", "ویژه", "مشترک", "گرامی", "۱۴۰۳", "1234", "؛", "،"];

    /// <summary>A GSM-7 text of about <paramref name="segments"/> parts.</summary>
    public string Latin(int segments) => Build(LatinWords, Target(segments, 160, 153), s => SegmentCount.Of(s).Units);

    /// <summary>A UCS-2 (Persian) text of about <paramref name="segments"/> parts, sometimes with an emoji (a surrogate pair).</summary>
    public string Persian(int segments)
    {
        var text = Build(PersianWords, Target(segments, 70, 67), s => s.Length);
        if (rng.Next(8) == 0 && text.Length > 4) text = text[..^2] + "😀";
        return text;
    }

    /// <summary>A text of exactly <paramref name="units"/> septets/units made of one repeated character (for the 70/71, 160/161 edges).</summary>
    public static string Exactly(char c, int units) => new(c, units);

    /// <summary>A text over the 10-segment limit.</summary>
    public string Oversized() => rng.Next(2) == 0 ? Build(LatinWords, 153 * 10 + 1 + rng.Next(300), s => SegmentCount.Of(s).Units) : Build(PersianWords, 67 * 10 + 1 + rng.Next(200), s => s.Length);

    /// <summary>A segment count from 1 to 6, half of them single-part.</summary>
    public int SegmentsWanted() => rng.Next(2) == 0 ? 1 : rng.Next(2, 7);

    private int Target(int segments, int single, int part) =>
        segments == 1 ? rng.Next(5, single + 1) : rng.Next(part * (segments - 1) + 8, part * segments - 2);

    private string Build(string[] words, int targetUnits, Func<string, int> measure)
    {
        // Both measures (septets, UTF-16 units) are sums over characters, so the running length is kept incrementally.
        var sb = new StringBuilder();
        var units = 0;
        var space = measure(" ");
        while (true)
        {
            var word = words[rng.Next(words.Length)];
            var add = measure(word) + (sb.Length == 0 ? 0 : space);
            if (units + add > targetUnits)
            {
                // Pad with a neutral character up to the target so lengths land anywhere, edges included.
                for (; units < targetUnits; units++) sb.Append('.');
                return sb.ToString();
            }
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(word);
            units += add;
        }
    }
}
