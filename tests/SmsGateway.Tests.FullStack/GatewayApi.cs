using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Tests.FullStack;

/// <summary>The gateway's HTTP API as the seed calls it (snake_case JSON), for one host.</summary>
public sealed class GatewayApi(HttpClient client)
{
    /// <summary>Statuses after which a message changes no more (DESIGN.md, Durability).</summary>
    public static readonly string[] FinalStatuses = ["sent", "delivered", "undelivered", "failed"];

    public HttpClient Client { get; } = client;

    /// <summary>POST /charge/{user}?amount=N; asserts 200.</summary>
    public async Task ChargeAsync(string user, long amount)
    {
        using var response = await Client.PostAsync($"/charge/{user}?amount={amount}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>POST /send; returns the status code and the parsed body (problem details for errors).</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(string user, string phone, string text, string type)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, string> { ["phone"] = phone, ["text"] = text, ["type"] = type, ["user_id"] = user });
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/send", content);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body);
    }

    /// <summary>GET /balance/{user}.</summary>
    public async Task<Balance> BalanceAsync(string user)
    {
        var body = await Client.GetFromJsonAsync<JsonElement>($"/balance/{user}");
        return new Balance(body.GetProperty("available").GetInt64(), body.GetProperty("reserved").GetInt64(), body.GetProperty("spent").GetInt64());
    }

    /// <summary>GET /report/{user}: counts per status (wire names).</summary>
    public async Task<Dictionary<string, long>> CountsAsync(string user)
    {
        var body = await Client.GetFromJsonAsync<JsonElement>($"/report/{user}?limit=1");
        return body.GetProperty("counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
    }

    /// <summary>GET /report/{user} (first page).</summary>
    public Task<JsonElement> ReportAsync(string user) => Client.GetFromJsonAsync<JsonElement>($"/report/{user}");

    /// <summary>Polls GET /messages/{id} until its status is <paramref name="status"/>.</summary>
    public async Task<JsonElement> WaitForStatusAsync(string id, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await Client.GetAsync($"/messages/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (body.GetProperty("message").GetProperty("status").GetString() == status)
                {
                    return body;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"message {id} did not reach '{status}' within {timeout}");
            await Task.Delay(25);
        }
    }

    /// <summary>
    /// Polls the report until <paramref name="user"/> has <paramref name="accepted"/> messages in final statuses and its
    /// reservation is settled; returns the last counts.
    /// </summary>
    public async Task<Dictionary<string, long>> WaitForFinalAsync(string user, int accepted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var counts = await CountsAsync(user);
            var final = FinalStatuses.Sum(s => counts.GetValueOrDefault(s));
            if (final == accepted && (await BalanceAsync(user)).Reserved == 0)
            {
                return counts;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"user {user}: {final} of {accepted} messages final after {timeout}; counts {string.Join(", ", counts.Select(kv => $"{kv.Key}={kv.Value}"))}");
            await Task.Delay(100);
        }
    }
}

/// <summary>A user's ledger as GET /balance shows it, minor units.</summary>
public readonly record struct Balance(long Available, long Reserved, long Spent)
{
    public long Total => Available + Reserved + Spent;
}
