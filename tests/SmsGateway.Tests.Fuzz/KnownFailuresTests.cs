using System.Net;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Tests.Fuzz;

/// <summary>The hostile inputs that once gave 500 or were silently accepted: each is now a 400 naming the field.</summary>
public sealed class KnownFailuresTests(FuzzGateway gateway) : IClassFixture<FuzzGateway>
{
    public static TheoryData<byte[], string> Cases => new()
    {
        { Body("{\"phone\":\"09121234567\",\"text\":\"", [0xFF, 0xFE], "\",\"type\":\"normal\"}"), "text" },
        { Body("{\"phone\":\"09121234567\",\"text\":\"", [0xED, 0xA0, 0x80], "\",\"type\":\"normal\"}"), "text" },
        { Body("{\"phone\":\"09121234567\",\"text\":\"a\\ud800b\",\"type\":\"normal\"}"), "text" },
        { Body("{\"phone\":\"09121234567\",\"text\":\"\\udc00\",\"type\":\"normal\"}"), "text" },
        { Body("{\"phone\":\"09121234567\",\"text\":\"a\\u0000b\",\"type\":\"normal\"}"), "text" },
        { Body("{\"phone\":\"09121234567\",\"text\":\"bell\\u0007\",\"type\":\"normal\"}"), "text" },
        { Body("{\"phone\":\"09121234567\",\"text\":\"hi\",\"type\":\"normal\",\"user_id\":\"fz1\",\"user_id\":\"fz2\"}"), "user_id" },
        { Body("{\"phone\":\"09121234567\",\"text\":\"hi\",\"text\":\"hi\",\"type\":\"normal\"}"), "text" },
        { Body("{\"phone\":\"09121234567\",\"text\":\"hi\",\"type\":\"normal\",\"priority\":1}"), "priority" },
        { Body("{\"phone\":\"09121234567\",\"text\":\"hi\",\"type\":\"normal\",\"User_Id\":\"fz2\"}"), "User_Id" },
        { Body("{\"phone\":\"0912\\u00001234567\",\"text\":\"hi\",\"type\":\"normal\"}"), "phone" },
    };

    private static byte[] Body(string a, byte[]? raw = null, string b = "") => [.. Encoding.UTF8.GetBytes(a), .. raw ?? [], .. Encoding.UTF8.GetBytes(b)];

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Cases))]
    public async Task Hostile_send_bodies_are_400_naming_the_field_and_cost_nothing(byte[] body, string field)
    {
        await gateway.PrepareAsync();
        var before = await gateway.BalanceAsync(FuzzGateway.User);

        var (status, text) = await gateway.SendAsync("POST", "/send", "", gateway.ClientKey, body, null);

        Assert.Equal((int)HttpStatusCode.BadRequest, status);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {text}");
        Assert.Equal(before, await gateway.BalanceAsync(FuzzGateway.User));
    }

    [Fact(Timeout = 30_000)]
    public async Task Gsm_line_feed_and_carriage_return_stay_valid()
    {
        await gateway.PrepareAsync();
        var (status, text) = await gateway.SendAsync("POST", "/send", "", gateway.ClientKey,
            Encoding.UTF8.GetBytes("{\"phone\":\"09121234567\",\"text\":\"line 1\\nline 2\\r\\n\",\"type\":\"normal\"}"), null);
        Assert.True(status == (int)HttpStatusCode.Accepted, text);
    }
}
