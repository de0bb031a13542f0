using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd.Bulk;

/// <summary>CSV export and optional text storage on the embedded profile (README "Reports").</summary>
public sealed class ReportExportTests : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client;

    public ReportExportTests(GatewayFactory factory) => _client = factory.CreateClient();

    private const string Tricky = "a, \"quoted\"\nline two";

    [Fact(Timeout = 60_000)]
    public async Task Texts_are_stored_only_when_the_account_asks_and_the_export_quotes_them_per_RFC_4180()
    {
        var settings = await _client.PutAsync("/accounts/csv1/settings", Json("""{"store_text":true}"""));
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.True((await settings.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("store_text").GetBoolean());
        await _client.PostAsync("/charge/csv1?amount=100000", null);
        await _client.PostAsync("/charge/csv2?amount=100000", null);
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        var stored = await SendAsync("csv1", Tricky);
        var notStored = await SendAsync("csv2", Tricky);
        var storedMessage = await WaitForStatusAsync(_client, stored, "sent");
        var notStoredMessage = await WaitForStatusAsync(_client, notStored, "sent");
        Assert.Equal(Tricky, storedMessage.GetProperty("message").GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, notStoredMessage.GetProperty("message").GetProperty("text").ValueKind);

        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        var csv = await _client.GetAsync($"/reports/csv1/export.csv?from={Uri.EscapeDataString(from.ToString("yyyy-MM-ddTHH:mm:ssZ"))}&to={Uri.EscapeDataString(to.ToString("yyyy-MM-ddTHH:mm:ssZ"))}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("id,user_id,batch_id,phone,operator,type,segments,encoding,cost,status,attempt,accepted_at,updated_at,error_code,text\r\n", text);
        var rows = ParseCsv(text);
        Assert.Equal(2, rows.Count);
        var row = rows[1];
        Assert.Equal(15, row.Count);
        Assert.Equal(stored, row[0]);
        Assert.Equal("+989121234567", row[3]);
        Assert.Equal("sent", row[9]);
        Assert.Equal(Tricky, row[14]);
        Assert.Contains("\"a, \"\"quoted\"\"\nline two\"\r\n", text);

        var other = ParseCsv(await _client.GetStringAsync($"/reports/csv2/export.csv?from={Uri.EscapeDataString(from.ToString("o"))}&to={Uri.EscapeDataString(to.ToString("o"))}"));
        Assert.Equal(2, other.Count);
        Assert.Equal("", other[1][14]);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("to=2026-12-02T00:00:00Z", "from")]
    [InlineData("from=2026-12-01&to=2026-12-02T00:00:00Z", "from")]
    [InlineData("from=2026-12-01T00:00:00&to=2026-12-02T00:00:00Z", "from")]
    [InlineData("from=2026-12-01T00:00:00Z&to=2026-11-30T00:00:00Z", "to")]
    [InlineData("from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z", "to")]
    public async Task A_bad_range_is_400_naming_the_parameter(string query, string field)
    {
        var response = await _client.GetAsync($"/reports/csv3/export.csv?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Store_text_must_be_a_boolean()
    {
        var response = await _client.PutAsync("/accounts/csv4/settings", Json("""{"store_text":"yes"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("store_text", out _));
    }

    private async Task<string> SendAsync(string user, string text)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["phone"] = "09121234567", ["text"] = text, ["type"] = "express", ["user_id"] = user });
        var response = await _client.PostAsync("/send", Json(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>An RFC 4180 reader for the assertions (quoted fields with doubled quotes and line breaks).</summary>
    internal static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add(row); row = []; i++; }
            else field.Append(c);
        }

        Assert.True(field.Length == 0 && row.Count == 0, "the CSV must end with CRLF");
        return rows;
    }
}
