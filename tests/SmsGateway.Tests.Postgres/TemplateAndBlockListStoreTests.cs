using SmsGateway.Accounts;
using SmsGateway.BlockLists;
using SmsGateway.Postgres.Accounts;
using SmsGateway.Postgres.BlockLists;
using SmsGateway.Postgres.Templates;
using SmsGateway.Templates;
using SmsGateway.Tests.Postgres.Fixtures;

namespace SmsGateway.Tests.Postgres;

/// <summary>Migrations 0150 and 0151: templates, block lists with their versions, and the owners of a sender line.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TemplateAndBlockListStoreTests(PostgresFixture fixture)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact(Timeout = 30_000)]
    public async Task Templates_round_trip_with_their_typed_tokens()
    {
        await using var db = await fixture.CreateMigratedAsync("tpl");
        var store = new PostgresTemplateStore(db.Store);
        Assert.Null(await store.GetAsync("u1", "otp", None));

        var tokens = new Dictionary<string, TemplateToken> { ["code"] = new(TokenType.Digits, 6), ["app"] = new(TokenType.Text, 12) };
        await store.SaveAsync(new MessageTemplate("u1", "otp", "کد {code} برای {app}", tokens, DateTimeOffset.UtcNow), None);
        await store.SaveAsync(new MessageTemplate("u1", "a", "x {code}", new Dictionary<string, TemplateToken> { ["code"] = new(TokenType.Alphanumeric, 3) }, DateTimeOffset.UtcNow), None);
        var read = await store.GetAsync("u1", "otp", None);
        Assert.NotNull(read);
        Assert.Equal("کد {code} برای {app}", read.Text);
        Assert.Equal(new TemplateToken(TokenType.Digits, 6), read.Tokens["code"]);
        Assert.Equal(new TemplateToken(TokenType.Text, 12), read.Tokens["app"]);
        Assert.Equal(["a", "otp"], (await store.ListAsync("u1", None)).Select(t => t.Name));
        Assert.Empty(await store.ListAsync("u2", None));

        Assert.True(await store.DeleteAsync("u1", "a", None));
        Assert.False(await store.DeleteAsync("u1", "a", None));
        Assert.Single(await store.ListAsync("u1", None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_change_of_a_block_list_bumps_its_version_and_repeats_change_nothing()
    {
        await using var db = await fixture.CreateMigratedAsync("blk");
        var store = new PostgresBlockListStore(db.Store);
        Assert.Equal(0, await store.VersionAsync("u1", None));

        var entry = new BlockedRecipient("+989121234567", BlockedRecipient.OptOutSource, DateTimeOffset.UtcNow);
        Assert.True(await store.AddAsync("u1", entry, None));
        Assert.False(await store.AddAsync("u1", entry with { Source = BlockedRecipient.AdminSource }, None));
        Assert.True(await store.AddAsync(IBlockListStore.Global, entry, None));
        Assert.Equal(1, await store.VersionAsync("u1", None));
        Assert.Equal(1, await store.VersionAsync(IBlockListStore.Global, None));
        Assert.Equal("opt-out", Assert.Single(await store.ListAsync("u1", None)).Source);

        Assert.True(await store.RemoveAsync("u1", "+989121234567", None));
        Assert.False(await store.RemoveAsync("u1", "+989121234567", None));
        Assert.Equal(2, await store.VersionAsync("u1", None));
        Assert.Empty(await store.ListAsync("u1", None));
        Assert.Single(await store.ListAsync(IBlockListStore.Global, None));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_owners_of_a_line_are_the_accounts_that_may_send_from_it()
    {
        await using var db = await fixture.CreateMigratedAsync("own");
        var store = new PostgresAccountSettingsStore(db.Store);
        await store.SaveAsync(new AccountSettings("b", ["3000123", "Shop"], null, null), None);
        await store.SaveAsync(new AccountSettings("a", ["+983000123"], null, null), None);
        await store.SaveAsync(new AccountSettings("c", ["3000999"], null, null), None);

        Assert.Equal(["a", "b"], await store.FindAccountsBySenderAsync(["3000123", "+983000123"], None));
        Assert.Empty(await store.FindAccountsBySenderAsync(["4000"], None));
    }
}
