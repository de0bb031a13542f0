using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd.Bulk;

/// <summary>POST /send/batch and GET /batches/{id} on the embedded profile (README "Bulk send").</summary>
public sealed class BulkSendTests : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client;

    public BulkSendTests(GatewayFactory factory) => _client = factory.CreateClient();

    private Task<HttpResponseMessage> PostBatchAsync(string body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/send/batch") { Content = Json(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return _client.SendAsync(request);
    }

    internal static async Task<JsonElement> WaitForBatchAsync(HttpClient client, string batchId, int total, params string[] finals)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await client.GetAsync($"/batches/{batchId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                var counts = body.GetProperty("counts");
                if (body.GetProperty("total").GetInt64() == total && finals.Sum(s => counts.GetProperty(s).GetInt64()) == total)
                {
                    return body;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"batch {batchId} did not reach {total} messages in {string.Join("/", finals)}");
            await Task.Delay(25);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Mixed_items_get_one_result_each_and_the_balance_runs_out_at_a_definite_item()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/charge/bulk1?amount=3450", null)).StatusCode); // three MCI segments
        const string body = """
            {"messages":[
              {"phone":"09121234567","text":"one","type":"express","user_id":"bulk1"},
              {"phone":"12345","text":"bad number","type":"express","user_id":"bulk1"},
              {"phone":"09121234568","text":"two","type":"normal","user_id":"bulk1"},
              {"phone":"09121234569","text":"three","type":"normal","user_id":"bulk1"},
              {"phone":"09121234570","text":"four: no money left","type":"normal","user_id":"bulk1"},
              "not an object",
              {"phone":"09121234571","text":"x","type":"normal","user_id":"bulk1","sendat":"later"},
              {"phone":"09121234572","text":"x","type":"normal","user_id":"bulk1","send_at":"2099-01-01T00:00:00Z"}
            ]}
            """;
        var response = await PostBatchAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var results = answer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(8, results.Count);
        Assert.Equal(3, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(5, answer.GetProperty("refused").GetInt32());
        for (int i = 0; i < results.Count; i++)
        {
            Assert.Equal(i, results[i].GetProperty("index").GetInt32());
        }

        foreach (var i in new[] { 0, 2, 3 })
        {
            Assert.True(results[i].TryGetProperty("id", out _), $"item {i} should be queued: {results[i]}");
            Assert.False(results[i].TryGetProperty("problem", out _));
        }

        AssertProblem(results[1], 400, "phone");
        AssertProblem(results[4], 402, null);
        AssertProblem(results[5], 400, "body");
        AssertProblem(results[6], 400, "sendat");
        AssertProblem(results[7], 400, "send_at"); // valid, but a batch is published at once: refused, not sent early

        var batchId = answer.GetProperty("batch_id").GetString()!;
        var batch = await WaitForBatchAsync(_client, batchId, 4, "sent", "rejected");
        Assert.Equal(3, batch.GetProperty("counts").GetProperty("sent").GetInt64());
        Assert.Equal(1, batch.GetProperty("counts").GetProperty("rejected").GetInt64());
        Assert.Equal("bulk1", batch.GetProperty("user_id").GetString());

        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/bulk1");
        Assert.Equal(0, balance.GetProperty("available").GetInt64());
        Assert.Equal(0, balance.GetProperty("reserved").GetInt64());
        Assert.Equal(3450, balance.GetProperty("spent").GetInt64());

        var message = await WaitForStatusAsync(_client, results[0].GetProperty("id").GetString()!, "sent");
        Assert.Equal(batchId, message.GetProperty("message").GetProperty("batch_id").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task One_text_to_many_phones_is_priced_per_operator_and_report_filters_narrow_counts_and_pages()
    {
        await _client.PostAsync("/charge/bulk2?amount=100000", null);
        var response = await PostBatchAsync("""{"phones":["09121234567","0935 123 4567","+989201234567"],"text":"hello","type":"normal","user_id":"bulk2"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = answer.GetProperty("batch_id").GetString()!;
        await WaitForBatchAsync(_client, batchId, 3, "sent");
        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/bulk2");
        Assert.Equal(1150 + 1150 + 1250, balance.GetProperty("spent").GetInt64());

        var rightel = await _client.GetFromJsonAsync<JsonElement>($"/report/bulk2?operator=Rightel&batch_id={batchId}");
        Assert.Equal(1, rightel.GetProperty("counts").GetProperty("sent").GetInt64());
        Assert.Equal("+989201234567", Assert.Single(rightel.GetProperty("messages").EnumerateArray()).GetProperty("phone").GetString());

        var byPhone = await _client.GetFromJsonAsync<JsonElement>("/report/bulk2?phone=09351234567");
        Assert.Equal("MTN", Assert.Single(byPhone.GetProperty("messages").EnumerateArray()).GetProperty("operator").GetString());
        Assert.Equal(1, byPhone.GetProperty("counts").GetProperty("sent").GetInt64());

        var express = await _client.GetFromJsonAsync<JsonElement>("/report/bulk2?type=express");
        Assert.Empty(express.GetProperty("messages").EnumerateArray());
        Assert.Equal(0, express.GetProperty("counts").GetProperty("sent").GetInt64());
        var normal = await _client.GetFromJsonAsync<JsonElement>("/report/bulk2?type=normal");
        Assert.Equal(3, normal.GetProperty("messages").GetArrayLength());

        foreach (var (query, field) in new[] { ("phone=12", "phone"), ("type=fast", "type"), ("operator=Nope", "operator"), ("batch_id=x", "batch_id") })
        {
            var bad = await _client.GetAsync($"/report/bulk2?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData("""{"messages":[]}""", "messages")]
    [InlineData("""{"phones":[],"text":"x","type":"normal"}""", "phones")]
    [InlineData("""{"text":"x","type":"normal"}""", "messages")]
    [InlineData("""{"messages":[{"phone":"09121234567","text":"x","type":"normal"}],"phones":["09121234567"]}""", "phones")]
    [InlineData("""{"messages":{"phone":"09121234567"}}""", "messages")]
    [InlineData("""{"messages":[{"phone":"09121234567","text":"x","type":"normal"}],"type":"express"}""", "type")]
    [InlineData("""[{"phone":"09121234567"}]""", "body")]
    public async Task A_body_that_is_not_a_batch_is_400_naming_the_field(string body, string field)
    {
        var response = await PostBatchAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task More_than_1000_items_is_400_naming_phones_and_charges_nothing()
    {
        await _client.PostAsync("/charge/bulk3?amount=10000000", null);
        var phones = string.Join(",", Enumerable.Range(0, 1001).Select(i => $"\"0912{i:D7}\""));
        var response = await PostBatchAsync($$"""{"phones":[{{phones}}],"text":"x","type":"normal","user_id":"bulk3"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("1000", problem.GetProperty("errors").GetProperty("phones")[0].GetString());
        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/bulk3");
        Assert.Equal(10000000, balance.GetProperty("available").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_batch_with_no_queued_item_is_a_problem_with_every_item_result()
    {
        var response = await PostBatchAsync("""{"phones":["09311234567","abc"],"text":"x","type":"normal","user_id":"bulk4"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, problem.GetProperty("accepted").GetInt32());
        var results = problem.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.All(results, r => AssertProblem(r, 400, "phone"));

        // No money: every item is refused for the balance, so the answer is 402.
        var poor = await PostBatchAsync("""{"phones":["09121234567","09121234568"],"text":"x","type":"normal","user_id":"bulk5"}""");
        Assert.Equal(HttpStatusCode.PaymentRequired, poor.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_repeated_batch_with_its_idempotency_key_is_answered_again_and_charged_once()
    {
        await _client.PostAsync("/charge/bulk6?amount=100000", null);
        const string body = """{"phones":["09121234567","09121234568"],"text":"once","type":"express","user_id":"bulk6"}""";
        var first = await PostBatchAsync(body, "batch-key-1");
        var second = await PostBatchAsync(body, "batch-key-1");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        var text = await first.Content.ReadAsStringAsync();
        Assert.Equal(text, await second.Content.ReadAsStringAsync());
        var batchId = JsonDocument.Parse(text).RootElement.GetProperty("batch_id").GetString()!;
        await WaitForBatchAsync(_client, batchId, 2, "sent");
        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/bulk6");
        Assert.Equal(2 * 1150, balance.GetProperty("spent").GetInt64());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostBatchAsync(body.Replace("once", "twice", StringComparison.Ordinal), "batch-key-1")).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_batch_of_1000_is_queued_whole_and_the_money_is_exact()
    {
        await _client.PostAsync("/charge/bulk7?amount=2000000", null);
        var items = string.Join(",", Enumerable.Range(0, 1000).Select(i => $$"""{"phone":"0912{{i:D7}}","text":"item {{i}}","type":"normal","user_id":"bulk7"}"""));
        var response = await PostBatchAsync($$"""{"messages":[{{items}}]}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1000, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(1000, answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()).Distinct().Count());
        await WaitForBatchAsync(_client, answer.GetProperty("batch_id").GetString()!, 1000, "sent");
        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/bulk7");
        Assert.Equal(1000 * 1150, balance.GetProperty("spent").GetInt64());
        Assert.Equal(0, balance.GetProperty("reserved").GetInt64());
        Assert.Equal(2000000, balance.GetProperty("available").GetInt64() + balance.GetProperty("spent").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task Sender_and_callback_checks_refuse_only_their_items()
    {
        await _client.PostAsync("/charge/bulk8?amount=100000", null);
        const string body = """
            {"messages":[
              {"phone":"09121234567","text":"ok","type":"normal","user_id":"bulk8"},
              {"phone":"09121234567","text":"no","type":"normal","user_id":"bulk8","from":"NotMine"},
              {"phone":"09121234567","text":"no","type":"normal","user_id":"bulk8","callback_url":"ftp://example.com/x"}
            ]}
            """;
        var response = await PostBatchAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToList();
        Assert.True(results[0].TryGetProperty("id", out _));
        AssertProblem(results[1], 403, "from");
        AssertProblem(results[2], 400, "callback_url");
        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/bulk8");
        Assert.Equal(100000, balance.GetProperty("available").GetInt64() + balance.GetProperty("reserved").GetInt64() + balance.GetProperty("spent").GetInt64());
        Assert.Equal(100000 - 1150, balance.GetProperty("available").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task Batch_ids_are_validated_and_unknown_batches_are_404()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/batches/not-a-uuid")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/batches/{Guid.NewGuid()}")).StatusCode);
    }

    internal static void AssertProblem(JsonElement result, int status, string? field)
    {
        Assert.False(result.TryGetProperty("id", out _), result.ToString());
        var problem = result.GetProperty("problem");
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        if (field is null)
        {
            Assert.True(problem.GetProperty("field").ValueKind == JsonValueKind.Null, result.ToString());
        }
        else
        {
            Assert.Equal(field, problem.GetProperty("field").GetString());
        }
    }
}
