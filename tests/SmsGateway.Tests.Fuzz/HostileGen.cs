using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace SmsGateway.Tests.Fuzz;

/// <summary>Generators of hostile input: JSON bodies built from byte fragments (invalid UTF-8 included), query values, header values.</summary>
internal static class HostileGen
{
    private static readonly byte[][] RawValues =
    [
        B("\"09121234567\""), B("\"+989121234567\""), B("9121234567"), B("\"0912\""), B("\"hi\""), B("\"express\""), B("\"normal\""),
        B("\"fz1\""), B("\"fz2\""), B("123"), B("1.5"), B("-1"), B("1e400"), B("true"), B("null"), B("[]"), B("{}"), B("\"\""),
        B("\"\\u0000\""), B("\"a\\u0000b\""), B("\"\\ud800\""), B("\"x\\udc00y\""), B("\"\\ud83d\\ude00\""), B("\"\\u001b\""),
        B("\"line\\nbreak\\r\""), B("\"tab\\tch\""), B("\"\u0085\""), B("\"سلام\""), B("\"😀\""), B("\"a\u0001b\""),
        [0x22, 0xFF, 0xFE, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        B("\"" + new string('a', 2000) + "\""), B("\"" + new string('€', 700) + "\""), B(new string('[', 100) + new string(']', 100)),
        B("{\"a\":[1,{\"b\":null}]}"), B("\"\\x41\""), B("\"unterminated"), B("'single'"),
    ];

    private static readonly byte[][] Names =
    [
        B("phone"), B("text"), B("type"), B("user_id"), B("user_id"), B("PHONE"), B("userId"), B("extra"), B(""), B("\\u0000"),
        B("__proto__"), B("from"), [0xFF], B("u\\ud800"), B("\\udc00"), B(new string('n', 300)),
    ];

    private static readonly byte[][] Valid = [B("\"phone\":\"09121234567\""), B("\"text\":\"hi\""), B("\"type\":\"normal\"")];

    /// <summary>A <c>/send</c> body: the valid fields, then 0-4 hostile members; sometimes raw bytes or a truncated body.</summary>
    public static Gen<byte[]> SendBody { get; } = Gen.Frequency(
        (8, from members in Gen.Elements(Names).Zip(Gen.Elements(RawValues)).ListOf().Select(l => l.Take(4).ToList())
            from keep in Gen.Choose(0, 3)
            from cut in Gen.Choose(0, 20)
            let parts = Valid.Take(keep).Concat(members.Select(m => Concat(B("\""), m.Item1, B("\":"), m.Item2)))
            let body = Concat([B("{"), Join(parts), B("}")])
            select cut == 0 ? body[..(body.Length / 2)] : body),
        (1, ArbMap.Default.GeneratorFor<byte[]>()),
        (1, Gen.Elements(RawValues)));

    /// <summary>Query values and path segments: ordinary, hostile and encoded.</summary>
    public static Gen<string> Text { get; } = Gen.Frequency(
        (3, Gen.Elements("1", "0", "-5", "100", "10000000000000", "10000000000001", "99999999999999999999", "1.5", "1e3", " 1", "0x10", "",
            "delivered", "DELIVERED", "nope", "2026-11-22T10:00:00Z", "2026-13-45", "0192f0a0-0000-7000-8000-000000000000", "fz1", "fz2",
            "%00", "%FF", "%ED%A0%80", "a%20b", "..", "../..", "\u0000", "\ud800", "😀", new string('9', 500), "NaN", "Infinity", "٣")),
        (1, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "")));

    /// <summary>Header values, including ones no client library would send.</summary>
    public static Gen<string> HeaderValue { get; } = Gen.Frequency(
        (3, Gen.Elements("", "Bearer", "Bearer ", "Basic abc", "bearer sgw_k0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAA", "Bearer a.b.c",
            "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJmejEifQ.", "Bearer " + new string('x', 5000), "\u0000", "x\r\ny", "ü", "application/json",
            "text/plain; charset=utf-16", "application/json; charset=latin1", "multipart/form-data; boundary=")),
        (1, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "")));

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Join(IEnumerable<byte[]> parts) => Concat([.. parts.SelectMany((p, i) => i == 0 ? new[] { p } : [B(","), p])]);
}
