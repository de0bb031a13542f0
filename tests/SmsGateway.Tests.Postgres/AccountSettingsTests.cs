using SmsGateway.Accounts;
using SmsGateway.Postgres.Accounts;
using SmsGateway.Tests.Postgres.Fixtures;

namespace SmsGateway.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class AccountSettingsTests(PostgresFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task Settings_are_empty_until_saved_then_replaced_on_save()
    {
        await using var db = await fixture.CreateMigratedAsync("acct");
        var store = new PostgresAccountSettingsStore(db.Store);

        Assert.Equal(AccountSettings.Empty("u1").AllowedSenders, (await store.GetAsync("u1", CancellationToken.None)).AllowedSenders);
        Assert.Null((await store.GetAsync("u1", CancellationToken.None)).CallbackUrl);

        await store.SaveAsync(new AccountSettings("u1", ["MyShop", "3000123"], "https://example.com/cb", "0123456789abcdef"), CancellationToken.None);
        var saved = await store.GetAsync("u1", CancellationToken.None);
        Assert.Equal(["MyShop", "3000123"], saved.AllowedSenders);
        Assert.Equal("https://example.com/cb", saved.CallbackUrl);
        Assert.Equal("0123456789abcdef", saved.CallbackSecret);
        Assert.True(saved.Allows("MyShop"));
        Assert.False(saved.Allows("myshop"));

        await store.SaveAsync(saved with { AllowedSenders = [], CallbackUrl = null }, CancellationToken.None);
        var replaced = await store.GetAsync("u1", CancellationToken.None);
        Assert.Empty(replaced.AllowedSenders);
        Assert.Null(replaced.CallbackUrl);
        Assert.Equal("0123456789abcdef", replaced.CallbackSecret);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM account_settings"));
    }
}
