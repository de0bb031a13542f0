using NATS.NKeys;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Nats;

namespace SmsGateway.Tests.Nats;

/// <summary>Authentication settings: start-up validation, and connecting to real servers that require credentials.</summary>
public sealed class SecurityTests
{
    private static NatsTransportOptions For(NatsServer server) => new()
    {
        Url = server.Url,
        StreamPrefix = Unique.Name("S") + "_",
        SubjectPrefix = Unique.Name("s").ToLowerInvariant(),
        RequestTimeoutMs = 2000,
        PublishTimeoutMs = 2000,
    };

    private static async Task RoundTripAsync(NatsTransport t)
    {
        await t.PublishAsync(Topics.Express, new OutgoingMessage("k", "authorised"u8.ToArray(), Guid.NewGuid().ToString()), CancellationToken.None);
        await using var sub = await t.SubscribeAsync(Topics.Express, "dispatch", new SubscriptionOptions { MaxInFlight = 4 }, CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var d = await sub.Deliveries.ReadAsync(cts.Token);
        Assert.Equal("authorised"u8.ToArray(), d.Payload.ToArray());
        await d.AckAsync(CancellationToken.None);
    }

    [Fact(Timeout = 60_000)]
    public async Task User_and_password_are_required_by_the_server_and_accepted_when_right()
    {
        await using var server = NatsServer.With(null, "--user", "gateway", "--pass", "s3cret-pw");
        await server.StartAsync();

        await using (var right = new NatsTransport(For(server) with { Username = "gateway", Password = "s3cret-pw" }, null))
        {
            await RoundTripAsync(right);
        }

        await using var wrong = new NatsTransport(For(server) with { Username = "gateway", Password = "wrong" }, null);
        var ex = await Assert.ThrowsAsync<TransportException>(async () => await wrong.EnsureReadyAsync(CancellationToken.None));
        Assert.Contains("Authorization", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("wrong", ex.Message, StringComparison.Ordinal); // the password is not echoed

        await using var anonymous = new NatsTransport(For(server), null);
        await Assert.ThrowsAsync<TransportException>(async () => await anonymous.EnsureReadyAsync(CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task Token_is_required_by_the_server_and_accepted_when_right()
    {
        await using var server = NatsServer.With(null, "--auth", "t0ken-abc");
        await server.StartAsync();

        await using (var right = new NatsTransport(For(server) with { Token = "t0ken-abc" }, null))
        {
            await RoundTripAsync(right);
        }

        await using var wrong = new NatsTransport(For(server) with { Token = "other" }, null);
        await Assert.ThrowsAsync<TransportException>(async () => await wrong.EnsureReadyAsync(CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task NKey_seed_signs_the_server_challenge()
    {
        using var user = KeyPair.CreatePair(PrefixByte.User);
        using var stranger = KeyPair.CreatePair(PrefixByte.User);
        await using var server = NatsServer.With($"authorization {{ users = [ {{ nkey: \"{user.GetPublicKey()}\" }} ] }}");
        await server.StartAsync();

        await using (var right = new NatsTransport(For(server) with { NKeySeed = user.GetSeed() }, null))
        {
            await RoundTripAsync(right);
        }

        await using var wrong = new NatsTransport(For(server) with { NKeySeed = stranger.GetSeed() }, null);
        await Assert.ThrowsAsync<TransportException>(async () => await wrong.EnsureReadyAsync(CancellationToken.None));
    }

    [Fact]
    public void Auth_and_TLS_settings_are_validated_naming_the_key()
    {
        static string KeyOf(NatsTransportOptions o)
        {
            var ex = Assert.ThrowsAny<ArgumentException>(() => o.Validate());
            Assert.StartsWith("Nats:" + ex.ParamName, ex.Message, StringComparison.Ordinal); // the message names the configuration key
            return ex.ParamName!;
        }

        Assert.Equal("Password", KeyOf(new NatsTransportOptions { Username = "u" }));
        Assert.Equal("Username", KeyOf(new NatsTransportOptions { Password = "p" }));
        Assert.Equal("Token", KeyOf(new NatsTransportOptions { Username = "u", Password = "p", Token = "t" }));
        Assert.Equal("Token", KeyOf(new NatsTransportOptions { Token = " " }));
        Assert.Equal("NKeySeed", KeyOf(new NatsTransportOptions { NKeySeed = "SUNOTAVALIDSEED" }));
        Assert.Equal("NKeySeed", KeyOf(new NatsTransportOptions { NKeySeed = "SAAGNWZYBJI5Y3RNQPKNLGWFLSHQYKWOQRTCUEXOSZ7OV2U3RXNNCZKXQE" })); // an account seed, not a user seed
        Assert.Equal("CredsFile", KeyOf(new NatsTransportOptions { CredsFile = "/nonexistent/user.creds" }));
        Assert.Equal("Url", KeyOf(new NatsTransportOptions { Url = "nats://user:pw@127.0.0.1:4222" }));
        Assert.Equal("TlsCaFile", KeyOf(new NatsTransportOptions { TlsCaFile = "/nonexistent/ca.pem" }));
        Assert.Equal("TlsMode", KeyOf(new NatsTransportOptions { Url = "tls://127.0.0.1:4222", TlsMode = NATS.Client.Core.TlsMode.Disable }));

        var creds = Path.GetTempFileName();
        try
        {
            File.WriteAllText(creds, "not a creds file");
            Assert.Equal("CredsFile", KeyOf(new NatsTransportOptions { CredsFile = creds }));
            using var pair = KeyPair.CreatePair(PrefixByte.User);
            File.WriteAllText(creds, $"-----BEGIN NATS USER JWT-----\neyJhbGciOi.x.y\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n{pair.GetSeed()}\n------END USER NKEY SEED------\n");
            _ = new NatsTransportOptions { CredsFile = creds }.Validate();
        }
        finally
        {
            File.Delete(creds);
        }

        using var valid = KeyPair.CreatePair(PrefixByte.User);
        _ = new NatsTransportOptions { NKeySeed = valid.GetSeed(), Url = "tls://a:4222,tls://b:4222" }.Validate();
    }
}
