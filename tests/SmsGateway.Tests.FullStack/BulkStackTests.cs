using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Tests.FullStack;

/// <summary>Bulk send, batch counts, report filters and the CSV export over NATS JetStream + Redis ×3 + PostgreSQL (issue 16).</summary>
[Collection(FullStackCollection.Name)]
public sealed class BulkStackTests(StackFixture stack)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> WaitForBatchAsync(HttpClient client, string batchId, long total, params string[] finals)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync($"/batches/{batchId}");
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
            await Task.Delay(100);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task A_batch_over_nats_reserves_per_item_until_the_balance_runs_out_and_the_money_is_exact()
    {
        var db = await stack.Postgres.CreateDatabaseAsync("bulknats");
        await using var host = HostSettings.Create(stack, db).Nats(stack.Nats).Build();
        var api = new GatewayApi(host.CreateClient());
        await api.ChargeAsync("bulk-u1", 600 * 1150); // 600 of the 1000 items (all MCI, one segment)

        // 1000 items: every 100th has an unroutable number, so 990 are valid; the balance covers the first 600 valid ones.
        var items = string.Join(",", Enumerable.Range(0, 1000).Select(i =>
            $$"""{"phone":"{{(i % 100 == 99 ? "0931" : "0912")}}{{i:D7}}","text":"bulk {{i}}","type":"{{(i % 2 == 0 ? "express" : "normal")}}","user_id":"bulk-u1"}"""));
        using var response = await api.Client.PostAsync("/send/batch", Json($$"""{"messages":[{{items}}]}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var results = answer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(600, answer.GetProperty("accepted").GetInt32());
        int valid = 0;
        for (int i = 0; i < 1000; i++)
        {
            var r = results[i];
            Assert.Equal(i, r.GetProperty("index").GetInt32());
            if (i % 100 == 99)
            {
                Assert.Equal(400, r.GetProperty("problem").GetProperty("status").GetInt32());
                Assert.Equal("phone", r.GetProperty("problem").GetProperty("field").GetString());
                continue;
            }

            // items are reserved in order: the first 600 valid ones are queued, every later one is 402
            if (valid++ < 600)
            {
                Assert.True(r.TryGetProperty("id", out _), r.ToString());
            }
            else
            {
                Assert.Equal(402, r.GetProperty("problem").GetProperty("status").GetInt32());
            }
        }

        var batchId = answer.GetProperty("batch_id").GetString()!;
        var batch = await WaitForBatchAsync(api.Client, batchId, 990, "sent", "rejected");
        Assert.Equal(600, batch.GetProperty("counts").GetProperty("sent").GetInt64());
        Assert.Equal(390, batch.GetProperty("counts").GetProperty("rejected").GetInt64());

        var balance = await api.BalanceAsync("bulk-u1");
        Assert.Equal(0, balance.Available);
        Assert.Equal(0, balance.Reserved);
        Assert.Equal(600 * 1150, balance.Spent);

        var express = await api.Client.GetFromJsonAsync<JsonElement>($"/report/bulk-u1?batch_id={batchId}&type=express&status=sent&limit=1000");
        Assert.Equal(express.GetProperty("counts").GetProperty("sent").GetInt64(), express.GetProperty("messages").GetArrayLength());
        Assert.All(express.GetProperty("messages").EnumerateArray(), m => Assert.Equal("express", m.GetProperty("type").GetString()));
        var queuedExpress = Enumerable.Range(0, 1000).Count(i => i % 2 == 0 && results[i].TryGetProperty("id", out _)); // even items are express
        Assert.Equal(queuedExpress, express.GetProperty("messages").GetArrayLength());
    }

    [Fact(Timeout = 120_000)]
    public async Task The_csv_export_reads_postgres_and_carries_stored_texts_only_for_accounts_that_store_them()
    {
        var db = await stack.Postgres.CreateDatabaseAsync("bulkcsv");
        await using var host = HostSettings.Create(stack, db).Nats(stack.Nats).Build();
        var api = new GatewayApi(host.CreateClient());
        using (var put = await api.Client.PutAsync("/accounts/csv-u1/settings", Json("""{"store_text":true}""")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await api.ChargeAsync("csv-u1", 1_000_000);
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        using (var batch = await api.Client.PostAsync("/send/batch",
            Json("""{"phones":["09121234567","09351234567","09201234567"],"text":"سلام, \"دنیا\"","type":"normal","user_id":"csv-u1"}""")))
        {
            Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
            var batchId = (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batch_id").GetString()!;
            await WaitForBatchAsync(api.Client, batchId, 3, "sent");
        }

        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/reports/csv-u1/export.csv?from={Uri.EscapeDataString(from.ToString("yyyy-MM-ddTHH:mm:ssZ"))}&to={Uri.EscapeDataString(to.ToString("yyyy-MM-ddTHH:mm:ssZ"))}");
        using var response = await api.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n");
        Assert.Equal(5, lines.Length); // header, three rows, the empty string after the last CRLF
        Assert.StartsWith("id,user_id,batch_id,", lines[0]);
        Assert.All(lines[1..4], l => Assert.EndsWith(",sent,1," + l.Split(',')[11] + "," + l.Split(',')[12] + ",,\"سلام, \"\"دنیا\"\"\"", l));
        Assert.Equal(new[] { "MCI", "MTN", "Rightel" }, lines[1..4].Select(l => l.Split(',')[4]).Order().ToArray());

        using var bad = await api.Client.GetAsync("/reports/csv-u1/export.csv?from=yesterday&to=2026-12-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
