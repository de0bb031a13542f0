using System.Net;

namespace SmsGateway.Tests.FullStack;

/// <summary>The seed's calls: charge 123456 to user 123, send a Persian express SMS to 09121234567, read the report.</summary>
public static class SeedFlow
{
    public static async Task RunAsync(GatewayApi api)
    {
        await api.ChargeAsync("123", 123456);
        var before = await api.BalanceAsync("123");
        Assert.Equal(123456, before.Total);

        var (status, accepted) = await api.SendAsync("123", "09121234567", "کد تایید: 1234", "express");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("+989121234567", accepted.GetProperty("phone").GetString());
        Assert.Equal("MCI", accepted.GetProperty("operator").GetString());
        Assert.Equal(1, accepted.GetProperty("segments").GetInt32());
        Assert.Equal("UCS-2", accepted.GetProperty("encoding").GetString());
        var cost = accepted.GetProperty("cost").GetInt64();
        Assert.True(cost > 0);
        var id = accepted.GetProperty("id").GetString()!;

        var message = await api.WaitForStatusAsync(id, "sent", TimeSpan.FromSeconds(15));
        Assert.Contains(message.GetProperty("history").EnumerateArray(), h => h.GetProperty("status").GetString() == "queued");

        var report = await api.ReportAsync("123");
        Assert.Equal(1, report.GetProperty("counts").GetProperty("sent").GetInt64());
        var row = Assert.Single(report.GetProperty("messages").EnumerateArray());
        Assert.Equal(id, row.GetProperty("id").GetString());
        Assert.Equal("sent", row.GetProperty("status").GetString());
        Assert.Equal("MCI", row.GetProperty("operator").GetString());
        Assert.Equal("UCS-2", row.GetProperty("encoding").GetString());
        Assert.Equal(1, row.GetProperty("segments").GetInt32());

        var deadline = DateTime.UtcNow.AddSeconds(5);
        Balance after;
        while ((after = await api.BalanceAsync("123")).Reserved != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(new Balance(123456 - cost, 0, cost), after);
    }
}
