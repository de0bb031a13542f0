using System.Text;

namespace SmsGateway.Load.Generation;

/// <summary>
/// Makes Iranian mobile numbers in every form DESIGN.md "Phone numbers (Iran)" accepts, in Latin, Persian (U+06F0–U+06F9)
/// and Arabic-Indic (U+0660–U+0669) digits, with spaces or dashes; and invalid or unrouteable ones.
/// Not thread-safe (uses the caller's <see cref="Random"/>).
/// </summary>
public sealed class PhoneFactory(Random rng)
{
    /// <summary>Default prefix table of operator.json (national form, with the leading 0).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Prefixes = new Dictionary<string, string[]>
    {
        ["MCI"] = ["0910", "0911", "0912", "0913", "0914", "0915", "0916", "0917", "0918", "0919", "0990", "0991", "0992", "0993", "0994", "0996"],
        ["MTN"] = ["0900", "0901", "0902", "0903", "0904", "0905", "0906", "0907", "0908", "0909", "0930", "0933", "0935", "0936", "0937", "0938", "0939"],
        ["Rightel"] = ["0920", "0921", "0922"],
    };

    /// <summary>Prefixes with no route in the default table.</summary>
    public static readonly string[] Unrouteable = ["0931", "0932", "0934", "0998", "0999"];

    private static readonly string[] Operators = ["MCI", "MCI", "MCI", "MTN", "MTN", "Rightel"];

    /// <summary>A valid number: the text to send, its E.164 form and its operator.</summary>
    public (string Text, string E164, string Operator) Valid(string? op = null)
    {
        op ??= Operators[rng.Next(Operators.Length)];
        var prefixes = Prefixes[op];
        var nsn = NationalSignificant(prefixes[rng.Next(prefixes.Length)]);
        return (Decorate(nsn), "+98" + nsn, op);
    }

    /// <summary>A plain <c>09…</c> number of the operator, Latin digits (for load scenarios).</summary>
    public (string Text, string Operator) Plain(string op)
    {
        var prefixes = Prefixes[op];
        return ("0" + NationalSignificant(prefixes[rng.Next(prefixes.Length)]), op);
    }

    /// <summary>A well-formed number whose prefix has no route.</summary>
    public string UnrouteableNumber() => Decorate(NationalSignificant(Unrouteable[rng.Next(Unrouteable.Length)]));

    /// <summary>A malformed number and a short reason.</summary>
    public (string Text, string Reason) Malformed()
    {
        var nsn = NationalSignificant("0912");
        return rng.Next(6) switch
        {
            0 => ("0" + nsn[..^1], "too short"),
            1 => ("0" + nsn + rng.Next(10), "too long"),
            2 => ("0" + nsn[..4] + "ab" + nsn[6..], "letters"),
            3 => ("+1415555" + rng.Next(1000, 9999), "foreign number"),
            4 => ("0812" + nsn[3..], "landline prefix"),
            _ => ("   ", "blank"),
        };
    }

    private string NationalSignificant(string prefix)
    {
        var sb = new StringBuilder(prefix[1..]);
        for (var i = 0; i < 7; i++) sb.Append((char)('0' + rng.Next(10)));
        return sb.ToString();
    }

    private string Decorate(string nsn)
    {
        var form = rng.Next(5) switch
        {
            0 => "+98" + nsn,
            1 => "0098" + nsn,
            2 => "98" + nsn,
            3 => "0" + nsn,
            _ => nsn,
        };
        form = rng.Next(4) switch
        {
            0 => Group(form, ' '),
            1 => Group(form, '-'),
            _ => form,
        };
        return rng.Next(5) switch
        {
            0 => Script(form, '\u06F0'),
            1 => Script(form, '\u0660'),
            _ => form,
        };
    }

    private static string Group(string number, char sep)
    {
        // Group the last ten digits as 3-3-4 (912 123 4567), keeping whatever came before.
        var head = number[..^10];
        var tail = number[^10..];
        return (head.Length > 0 && head != "0" ? head + sep : head) + tail[..3] + sep + tail[3..6] + sep + tail[6..];
    }

    private static string Script(string number, char zero)
    {
        var sb = new StringBuilder(number.Length);
        foreach (var c in number) sb.Append(c is >= '0' and <= '9' ? (char)(zero + (c - '0')) : c);
        return sb.ToString();
    }
}
