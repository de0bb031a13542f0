namespace SmsGateway.Load.Generation;

/// <summary>
/// Builds a reproducible mix of requests (issue 2 item 8): charges first (some users charged too little so they run out),
/// then sends over all number formats and digit scripts, the three operators, invalid and unrouteable numbers,
/// GSM-7 and UCS-2 texts of 1 to 6 segments with the 70/71 and 160/161 edges, express and normal, bad types and texts,
/// malformed JSON and repeated Idempotency-Keys. Each line carries its expectation.
/// </summary>
public static class RequestGenerator
{
    private const long MaxPricePerSegment = 1250;

    /// <summary>Generates <see cref="GeneratorOptions.Lines"/> lines, numbered from 1.</summary>
    public static List<RequestLine> Generate(GeneratorOptions options)
    {
        options.Validate();
        var rng = new Random(options.Seed);
        var phones = new PhoneFactory(rng);
        var texts = new TextFactory(rng);
        var users = options.Users > 0 ? options.Users : Math.Max(5, options.Lines / 200);
        var poor = new HashSet<int>(Enumerable.Range(0, users).Where(_ => rng.NextDouble() < options.PoorShare));
        var doubleCharged = new HashSet<int>(Enumerable.Range(0, users).Where(_ => rng.Next(4) == 0));
        var invalidCharges = InvalidCharges(rng, users);
        var chargeLineCount = users + doubleCharged.Count + invalidCharges.Count;
        var sendCount = Math.Max(1, options.Lines - chargeLineCount);

        var sends = new List<RequestLine>(sendCount);
        foreach (var edge in Edges(phones)) if (sends.Count < sendCount) sends.Add(edge with { UserId = User(rng.Next(users)) });
        var keyed = new List<RequestLine>();
        while (sends.Count < sendCount)
        {
            var user = User(rng.Next(users));
            if (keyed.Count > 0 && rng.NextDouble() < options.KeyedShare * 0.2)
            {
                var original = keyed[rng.Next(keyed.Count)];
                keyed.Remove(original);
                sends.Add(original with { DuplicateOf = original.Seq, Reason = "repeated Idempotency-Key" });
                continue;
            }
            var line = rng.NextDouble() < options.InvalidShare ? Invalid(rng, phones, texts, user) : Valid(rng, phones, texts, user);
            line = line with { Seq = -(sends.Count + 1) };
            if (!line.IsInvalid && rng.NextDouble() < options.KeyedShare)
            {
                line = line with { IdempotencyKey = $"k{sends.Count + 1}" };
                keyed.Add(line);
            }
            sends.Add(line);
        }

        // Charges sized from each user's share of valid sends: rich users can pay for everything, poor ones for a fraction.
        var perUser = new long[users];
        foreach (var s in sends.Where(s => !s.IsInvalid && s.UserId is not null && s.DuplicateOf is null))
            perUser[int.Parse(s.UserId![1..], System.Globalization.CultureInfo.InvariantCulture)] += (s.ExpectSegments ?? 1) * MaxPricePerSegment;
        var lines = new List<RequestLine>(options.Lines);
        for (var u = 0; u < users; u++)
        {
            var total = poor.Contains(u) ? Math.Max(MaxPricePerSegment, (long)(perUser[u] * (0.1 + rng.NextDouble() * 0.3))) : perUser[u] + 10 * MaxPricePerSegment;
            if (doubleCharged.Contains(u))
            {
                var first = total / 2;
                lines.Add(Charge(User(u), first));
                lines.Add(Charge(User(u), total - first));
            }
            else lines.Add(Charge(User(u), total));
        }
        lines.AddRange(invalidCharges);

        // Number every line; duplicates point at the renumbered original.
        var renumber = new Dictionary<int, int>();
        var result = new List<RequestLine>(lines.Count + sends.Count);
        foreach (var l in lines) result.Add(l with { Seq = result.Count + 1 });
        foreach (var s in sends)
        {
            var seq = result.Count + 1;
            if (s.DuplicateOf is null) renumber[s.Seq] = seq;
            result.Add(s with { Seq = seq, DuplicateOf = s.DuplicateOf is { } d ? renumber[d] : null });
        }
        return result;
    }

    private static string User(int n) => "u" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static RequestLine Charge(string user, long amount) =>
        new() { Kind = "charge", UserId = user, Amount = amount.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static List<RequestLine> InvalidCharges(Random rng, int users)
    {
        string[] amounts = ["0", "-5000", "abc", "99999999999999999999999", "12.5", ""];
        return [.. amounts.Select(a => new RequestLine { Kind = "charge", UserId = User(rng.Next(users)), Amount = a, Expect = "invalid", InvalidField = "amount", Reason = $"amount '{a}'" })];
    }

    private static RequestLine Valid(Random rng, PhoneFactory phones, TextFactory texts, string user)
    {
        var (phone, e164, op) = phones.Valid();
        var segments = texts.SegmentsWanted();
        var text = rng.Next(2) == 0 ? texts.Latin(segments) : texts.Persian(segments);
        return Expected(new RequestLine { UserId = user, Phone = phone, Text = text, Type = rng.Next(5) < 2 ? "express" : "normal" }, e164, op);
    }

    private static RequestLine Expected(RequestLine line, string e164, string op)
    {
        var count = SegmentCount.Of(line.Text!);
        return line with { ExpectPhone = e164, ExpectOperator = op, ExpectEncoding = count.Encoding, ExpectSegments = count.Segments };
    }

    private static IEnumerable<RequestLine> Edges(PhoneFactory phones)
    {
        (string Text, string Why)[] cases =
        [
            ("کد تایید: 1234", "seed message"),
            (TextFactory.Exactly('a', 160), "160 septets"), (TextFactory.Exactly('a', 161), "161 septets"),
            (TextFactory.Exactly('a', 306), "2x153 septets"), (TextFactory.Exactly('a', 307), "307 septets"),
            (TextFactory.Exactly('س', 70), "70 UCS-2"), (TextFactory.Exactly('س', 71), "71 UCS-2"),
            (TextFactory.Exactly('س', 134), "2x67 UCS-2"), (TextFactory.Exactly('س', 135), "135 UCS-2"),
            (TextFactory.Exactly('€', 80), "80 euro = 160 septets"), (TextFactory.Exactly('€', 81), "81 euro, escapes not split"),
            ("a" + TextFactory.Exactly('€', 80), "escape on the 153 boundary"),
            (string.Concat(Enumerable.Repeat("😀", 35)), "35 emoji = 70 units"), ("a" + string.Concat(Enumerable.Repeat("😀", 35)), "surrogate on the 67 boundary"),
            ("{[~]}|^\\ €", "every extension char"),
        ];
        var i = 0;
        foreach (var (text, why) in cases)
        {
            var op = (i++ % 3) switch { 0 => "MCI", 1 => "MTN", _ => "Rightel" };
            var (phone, e164, _) = phones.Valid(op);
            if (why == "seed message") (phone, e164) = ("09121234567", "+989121234567");
            yield return Expected(new RequestLine { Phone = phone, Text = text, Type = i % 2 == 0 ? "normal" : "express", Reason = why }, e164, op);
        }
    }

    private static RequestLine Invalid(Random rng, PhoneFactory phones, TextFactory texts, string user)
    {
        var (phone, _, _) = phones.Valid();
        var text = texts.Latin(1);
        var line = new RequestLine { UserId = user, Phone = phone, Text = text, Type = "express", Expect = "invalid" };
        switch (rng.Next(10))
        {
            case 0:
                var (bad, why) = phones.Malformed();
                return line with { Phone = bad, InvalidField = "phone", Reason = "bad phone: " + why };
            case 1: return line with { Phone = phones.UnrouteableNumber(), InvalidField = "phone", Reason = "no route" };
            case 2: return line with { Phone = null, InvalidField = "phone", Reason = "missing phone" };
            case 3: return line with { Text = "", InvalidField = "text", Reason = "empty text" };
            case 4: return line with { Text = texts.Oversized(), InvalidField = "text", Reason = "more than 10 segments" };
            case 5: return line with { Type = rng.Next(2) == 0 ? "urgent" : "bulk", InvalidField = "type", Reason = "unknown type" };
            case 6: return line with { Type = null, InvalidField = "type", Reason = "missing type" };
            case 7: return line with { UserId = null, InvalidField = "user_id", Reason = "missing user_id" };
            case 8: return line with { RawBody = "{\"phone\": \"09121234567\", \"text\": \"hi\", \"type\": \"exp", InvalidField = null, Reason = "malformed JSON" };
            default:
                return line with { RawBody = $"{{\"phone\": 9121234567, \"text\": \"hi\", \"type\": \"normal\", \"user_id\": \"{RequestFile.UserPlaceholder}\"}}", InvalidField = "phone", Reason = "phone is a number" };
        }
    }
}
