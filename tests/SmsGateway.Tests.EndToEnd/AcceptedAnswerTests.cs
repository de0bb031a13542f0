using System.Net;
using Microsoft.AspNetCore.Http;
using SmsGateway.Host.Api;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>The hand-written 202 body of /send is byte for byte what the serializer writes, and goes out with its headers.</summary>
public sealed class AcceptedAnswerTests(GatewayFactory factory) : IClassFixture<GatewayFactory>
{
    [Theory]
    [InlineData("queued", "+989121234567", "MCI", 1, "GSM-7", 1150L)]
    [InlineData("scheduled", "+989351234567", "MTN", 10, "UCS-2", 0L)]
    [InlineData("queued", "+98912\"\\<>&'", "ایرانسل \u2028", int.MaxValue, "UCS-2", long.MinValue)]
    public void The_body_is_what_the_serializer_writes(string status, string phone, string op, int segments, string encoding, long cost)
    {
        var response = new SendResponse(Guid.CreateVersion7(), status, phone, op, segments, encoding, cost);
        var answer = AcceptedAnswer.Of(response);
        Assert.Equal(ApiJson.Serialize(response), answer.Text());
        Assert.Equal(StatusCodes.Status202Accepted, answer.StatusCode);
    }

    [Fact]
    public void Answers_built_one_after_another_do_not_share_their_bytes()
    {
        var first = AcceptedAnswer.Of(new SendResponse(Guid.CreateVersion7(), "queued", "+989121234567", "MCI", 1, "GSM-7", 1150));
        var text = first.Text();
        _ = AcceptedAnswer.Of(new SendResponse(Guid.CreateVersion7(), "scheduled", "+989351111111", "MTN", 2, "UCS-2", 2300));
        Assert.Equal(text, first.Text());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_send_answers_202_with_json_content_type_length_and_location()
    {
        var client = factory.CreateClient();
        await client.PostAsync("/charge/answer1?amount=100000", null);
        var response = await client.PostAsync("/send", Json("""{"phone":"09121234567","text":"hi","type":"express","user_id":"answer1"}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal($"/messages/{doc.RootElement.GetProperty("id").GetString()}", response.Headers.Location!.ToString());
        Assert.Equal("queued", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("+989121234567", doc.RootElement.GetProperty("phone").GetString());
    }
}
