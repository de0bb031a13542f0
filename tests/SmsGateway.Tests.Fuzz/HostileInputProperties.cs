using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace SmsGateway.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing (FsCheck): every input to <c>/send</c>, <c>/charge</c>, <c>/report</c> and the headers is
/// answered 2xx or 4xx, never 5xx, and a 4xx changes no balance.
/// </summary>
public sealed class HostileInputProperties(FuzzGateway gateway, ITestOutputHelper output) : IClassFixture<FuzzGateway>
{
    private const int Cases = 400;

    private static Config Config => Config.QuickThrowOnFailure.WithMaxTest(Cases);

    private bool Check(Func<Task<bool>> test)
    {
        FuzzGateway.Count();
        return test().GetAwaiter().GetResult();
    }

    private async Task<bool> UnchangedOn4xxAsync(string user, Func<Task<int>> call)
    {
        var before = await gateway.BalanceAsync(user);
        var status = await call();
        Assert.True(status < 500, $"answered {status}");
        if (status >= 400)
        {
            // A refused request reserves nothing: available and the total stay. (An earlier accepted message may move
            // from reserved to spent meanwhile: its capture does not touch available.)
            var after = await gateway.BalanceAsync(user);
            Assert.Equal(before.Available, after.Available);
            Assert.Equal(before.Available + before.Reserved + before.Spent, after.Available + after.Reserved + after.Spent);
        }

        return true;
    }

    private void Report(string what) => output.WriteLine($"{what}: {FuzzGateway.Cases} fuzz cases run so far in this process, 0 answered 5xx");

    [Fact(Timeout = 120_000)]
    public async Task Send_bodies_are_never_5xx_and_a_4xx_costs_nothing()
    {
        await gateway.PrepareAsync();
        var tokens = Gen.Elements<string?>(gateway.ClientKey, FuzzGateway.AdminKey);
        Prop.ForAll(Arb.From(HostileGen.SendBody.Zip(tokens)), input => Check(() => UnchangedOn4xxAsync(FuzzGateway.User,
            async () => (await gateway.SendAsync("POST", "/send", "", input.Item2, input.Item1, null)).Status))).Check(Config);
        Report("/send");
    }

    [Fact(Timeout = 120_000)]
    public async Task Charge_paths_and_amounts_are_never_5xx_and_a_4xx_charges_nothing()
    {
        await gateway.PrepareAsync();
        var users = Gen.Frequency((1, Gen.Constant(FuzzGateway.User)), (2, HostileGen.Text));
        Prop.ForAll(Arb.From(users.Zip(HostileGen.Text)), input => Check(() => UnchangedOn4xxAsync(FuzzGateway.User,
            async () => (await gateway.SendAsync("POST", "/charge/" + input.Item1, "?amount=" + Uri.EscapeDataString(input.Item2),
                FuzzGateway.AdminKey, null, null)).Status))).Check(Config);
        Report("/charge");
    }

    [Fact(Timeout = 120_000)]
    public async Task Report_and_message_queries_are_never_5xx()
    {
        await gateway.PrepareAsync();
        var names = Gen.Elements("status", "from", "to", "before", "limit", "user_id", "status", "x");
        var query = names.Zip(HostileGen.Text).ListOf().Select(l => "?" + string.Join("&", l.Take(5).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}")));
        var paths = Gen.Elements("/report/fz1", "/report/fz2", "/messages/0192f0a0-0000-7000-8000-000000000000", "/messages/x", "/report/", "/report/%00");
        Prop.ForAll(Arb.From(paths.Zip(query).Zip(Gen.Elements<string?>(gateway.ClientKey, FuzzGateway.AdminKey, null))), input => Check(async () =>
        {
            var ((path, q), token) = input;
            var (status, _) = await gateway.SendAsync("GET", path, q, token, null, null);
            Assert.True(status < 500, $"GET {path}{q} answered {status}");
            return true;
        })).Check(Config);
        Report("/report");
    }

    [Fact(Timeout = 120_000)]
    public async Task Header_values_are_never_5xx_and_a_4xx_costs_nothing()
    {
        await gateway.PrepareAsync();
        var headerNames = Gen.Elements("Authorization", "Idempotency-Key", "Content-Type", "Content-Encoding", "Transfer-Encoding", "X-Forwarded-For");
        var headers = headerNames.Zip(HostileGen.HeaderValue).ListOf().Select(l => l.Take(3).GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.First().Item2));
        var body = "{\"phone\":\"09121234567\",\"text\":\"hi\",\"type\":\"normal\",\"user_id\":\"fz1\"}"u8.ToArray();
        Prop.ForAll(Arb.From(headers), h => Check(() => UnchangedOn4xxAsync(FuzzGateway.User,
            async () => (await gateway.SendAsync("POST", "/send", "", null, body, h)).Status))).Check(Config);
        Report("headers");
    }
}
