using SmsGateway.Accounts;
using SmsGateway.BlockLists;
using SmsGateway.Status;

namespace SmsGateway.Tests.EndToEnd.Accounts;

/// <summary>How the stores behind <see cref="OutageStores"/> behave.</summary>
public enum StoreMode
{
    /// <summary>Answers from memory.</summary>
    Up,

    /// <summary>Every call fails at once (a refused connection).</summary>
    Throws,

    /// <summary>Every call waits 30 s, then fails (a frozen server until the command timeout).</summary>
    Hangs,
}

/// <summary>
/// In-memory account settings and block list stores behind one switch, to play a PostgreSQL outage: <see cref="Mode"/> makes
/// every read and write fail at once or hang for 30 s and then fail, as the PostgreSQL stores do.
/// </summary>
public sealed class OutageStores : IAccountSettingsStore, IBlockListStore
{
    private readonly InMemoryAccountSettingsStore _settings = new();
    private readonly InMemoryBlockListStore _lists = new();
    private int _calls;

    /// <summary>The behaviour of the next calls.</summary>
    public StoreMode Mode { get; set; }

    /// <summary>Calls made so far (reads and writes).</summary>
    public int Calls => Volatile.Read(ref _calls);

    public async ValueTask<AccountSettings> GetAsync(string userId, CancellationToken cancellationToken)
    {
        await EnterAsync();
        return await _settings.GetAsync(userId, cancellationToken);
    }

    public async ValueTask SaveAsync(AccountSettings settings, CancellationToken cancellationToken)
    {
        await EnterAsync();
        await _settings.SaveAsync(settings, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<string>> FindAccountsBySenderAsync(IReadOnlyList<string> senders, CancellationToken cancellationToken)
    {
        await EnterAsync();
        return await _settings.FindAccountsBySenderAsync(senders, cancellationToken);
    }

    public async ValueTask<bool> AddAsync(string list, BlockedRecipient entry, CancellationToken cancellationToken)
    {
        await EnterAsync();
        return await _lists.AddAsync(list, entry, cancellationToken);
    }

    public async ValueTask<bool> RemoveAsync(string list, string msisdn, CancellationToken cancellationToken)
    {
        await EnterAsync();
        return await _lists.RemoveAsync(list, msisdn, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<BlockedRecipient>> ListAsync(string list, CancellationToken cancellationToken)
    {
        await EnterAsync();
        return await _lists.ListAsync(list, cancellationToken);
    }

    public async ValueTask<long> VersionAsync(string list, CancellationToken cancellationToken)
    {
        await EnterAsync();
        return await _lists.VersionAsync(list, cancellationToken);
    }

    private async Task EnterAsync()
    {
        Interlocked.Increment(ref _calls);
        switch (Mode)
        {
            case StoreMode.Throws:
                throw new StatusStoreUnavailableException("store down (test)", new System.Net.Sockets.SocketException(111));
            case StoreMode.Hangs:
                await Task.Delay(TimeSpan.FromSeconds(30));
                throw new StatusStoreUnavailableException("store timed out (test)", new TimeoutException());
        }
    }
}

/// <summary>The first read of a cache under test, made robust against a loaded machine.</summary>
public static class ColdRead
{
    /// <summary>
    /// Runs <paramref name="read"/> until it succeeds, at most 50 times 100 ms apart. A cold read that takes longer than the
    /// cache's cold wait (500 ms by default; the thread pool can be that slow at the start of a parallel test run) is
    /// refused with <see cref="StatusStoreUnavailableException"/>, but it still fills the copy, so a retry is served.
    /// </summary>
    public static async Task WarmAsync(Func<Task> read)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                await read();
                return;
            }
            catch (StatusStoreUnavailableException) when (i < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
