using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>
/// Money never stuck, through HTTP on the embedded profile: a 202 message's reservation is confirmed (no pending entry left),
/// so the expiry sweep leaves it alone, while a reservation nobody confirmed is refunded after the deadline. The gateway role
/// runs alone (no dispatcher), so nothing but the confirm keeps the accepted message's reservation from the sweep.
/// </summary>
public sealed class ReservationConfirmTests : IClassFixture<GatewayFactory>
{
    private readonly WebApplicationFactory<Program> _factory;

    public ReservationConfirmTests(GatewayFactory factory) => _factory = factory.WithWebHostBuilder(b => b
        .UseSetting("Gateway:Roles", "gateway")
        .UseSetting("Pipeline:Reservations:ConfirmDeadline", "00:00:01")
        .UseSetting("Pipeline:Reservations:SweepInterval", "00:00:00.100"));

    [Fact(Timeout = 30_000)]
    public async Task Accepted_message_is_confirmed_and_kept_while_an_unconfirmed_reservation_is_refunded()
    {
        var client = _factory.CreateClient();
        var ledger = Assert.IsType<InMemoryBalanceLedger>(_factory.Services.GetRequiredService<IBalanceLedger>());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/charge/confirm-e2e?amount=100000", null)).StatusCode);

        var send = await client.PostAsync("/send", SeedApiTests.Json("""{"phone":"09121234567","text":"hello","type":"express","user_id":"confirm-e2e"}"""));
        Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        var accepted = await send.Content.ReadFromJsonAsync<JsonElement>();
        var id = Guid.Parse(accepted.GetProperty("id").GetString()!);
        var cost = accepted.GetProperty("cost").GetInt64();

        // The confirm follows the broker's ack of the batch (not awaited by the 202): the pending entry goes within moments.
        var until = DateTime.UtcNow.AddSeconds(10);
        while (ledger.IsPending("confirm-e2e", id))
        {
            Assert.True(DateTime.UtcNow < until, "the accepted message's reservation was never confirmed");
            await Task.Delay(10);
        }

        // A reservation of the same user whose outcome the gateway never learnt (a reserve whose message was never published).
        var unknown = Guid.NewGuid();
        Assert.Equal([ReserveOutcome.Reserved], await ledger.ReserveAsync("confirm-e2e", [new(unknown, 500)], long.MaxValue, CancellationToken.None));
        Assert.True(ledger.IsPending("confirm-e2e", unknown));

        // Past the 1-s deadline plus sweeps: the unknown one is refunded, the accepted one still reserved for its send.
        until = DateTime.UtcNow.AddSeconds(15);
        JsonElement balance;
        while (true)
        {
            balance = await client.GetFromJsonAsync<JsonElement>("/balance/confirm-e2e");
            if (balance.GetProperty("reserved").GetInt64() == cost)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < until, $"reserved stayed {balance.GetProperty("reserved").GetInt64()}, expected {cost}");
            await Task.Delay(50);
        }

        await Task.Delay(500); // a few more sweeps: the confirmed reservation is still held
        balance = await client.GetFromJsonAsync<JsonElement>("/balance/confirm-e2e");
        Assert.Equal(cost, balance.GetProperty("reserved").GetInt64());
        Assert.Equal(100_000 - cost, balance.GetProperty("available").GetInt64());
        Assert.Equal(0, balance.GetProperty("spent").GetInt64());
        Assert.False(ledger.IsPending("confirm-e2e", unknown));
        Assert.Equal(SettleOutcome.AlreadySettled, await ledger.RefundAsync("confirm-e2e", unknown, CancellationToken.None));
    }
}
