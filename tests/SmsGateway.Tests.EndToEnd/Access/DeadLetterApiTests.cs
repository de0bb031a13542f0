using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>README "Durability": the admin dead-letter endpoints over the embedded transport.</summary>
public sealed class DeadLetterApiTests(SecuredGatewayFactory factory) : IClassFixture<SecuredGatewayFactory>
{
    private HttpClient Admin => factory.Client(SecuredGatewayFactory.AdminKey);

    [Fact(Timeout = 30_000)]
    public async Task Poison_message_is_listed_by_the_admin_endpoint_and_replayed_to_its_topic()
    {
        var admin = Admin;
        var transport = factory.Services.GetRequiredService<IMessageTransport>();
        await transport.PublishAsync(Topics.Express, new OutgoingMessage("dl-user", Encoding.UTF8.GetBytes("not json at all"), "poison-e2e"), CancellationToken.None);

        var first = await WaitForListAsync(admin, l => l.GetArrayLength() == 1);
        var id = first[0].GetProperty("id").GetString()!;
        Assert.Equal("sms-express", first[0].GetProperty("topic").GetString());
        Assert.StartsWith("undecodable", first[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(15, first[0].GetProperty("size").GetInt32());
        Assert.True(first[0].TryGetProperty("at", out _));

        var replay = await admin.PostAsJsonAsync("/admin/dead-letters/replay", new { topic = "sms-express", ids = new[] { id } });
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var body = await replay.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, body.GetProperty("replayed")[0].GetString());
        Assert.Equal(0, body.GetProperty("not_found").GetArrayLength());

        // Still undecodable, so the consumer dead-letters the replayed copy again, under a new id.
        var second = await WaitForListAsync(admin, l => l.GetArrayLength() == 1 && l[0].GetProperty("id").GetString() != id);
        Assert.Equal("sms-express", second[0].GetProperty("topic").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Bad_input_is_a_problem_naming_the_field_and_clients_are_refused()
    {
        var admin = Admin;
        await AssertFieldAsync(await admin.GetAsync("/admin/dead-letters?topic=sms-nope"), "topic");
        await AssertFieldAsync(await admin.GetAsync("/admin/dead-letters?limit=0"), "limit");
        await AssertFieldAsync(await admin.GetAsync("/admin/dead-letters?limit=abc"), "limit");
        await AssertFieldAsync(await admin.PostAsJsonAsync("/admin/dead-letters/replay", new { }), "topic");
        await AssertFieldAsync(await admin.PostAsJsonAsync("/admin/dead-letters/replay", new { ids = new[] { "" } }), "ids");

        var client = factory.Client(SecuredGatewayFactory.Jwt("dl-client", "client"));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/dead-letters")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(null).GetAsync("/admin/dead-letters")).StatusCode);
    }

    private static async Task AssertFieldAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> WaitForListAsync(HttpClient admin, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var response = await admin.GetAsync("/admin/dead-letters?topic=sms-express&limit=10");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var list = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dead_letters");
            if (done(list))
            {
                return list;
            }

            Assert.True(DateTime.UtcNow < deadline, "dead letters not as expected: " + list);
            await Task.Delay(50);
        }
    }
}
