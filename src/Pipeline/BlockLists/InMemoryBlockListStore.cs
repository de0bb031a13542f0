namespace SmsGateway.BlockLists;

/// <summary>Block lists in process memory (embedded profile, tests); lost on restart.</summary>
public sealed class InMemoryBlockListStore : IBlockListStore
{
    private readonly Dictionary<string, (long Version, SortedDictionary<string, BlockedRecipient> Entries)> _lists = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<bool> AddAsync(string list, BlockedRecipient entry, CancellationToken cancellationToken)
    {
        lock (_lists)
        {
            var (version, entries) = Get(list);
            if (!entries.TryAdd(entry.Msisdn, entry))
            {
                return ValueTask.FromResult(false);
            }

            _lists[list] = (version + 1, entries);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string list, string msisdn, CancellationToken cancellationToken)
    {
        lock (_lists)
        {
            var (version, entries) = Get(list);
            if (!entries.Remove(msisdn))
            {
                return ValueTask.FromResult(false);
            }

            _lists[list] = (version + 1, entries);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<BlockedRecipient>> ListAsync(string list, CancellationToken cancellationToken)
    {
        lock (_lists)
        {
            return ValueTask.FromResult<IReadOnlyList<BlockedRecipient>>([.. Get(list).Entries.Values]);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> VersionAsync(string list, CancellationToken cancellationToken)
    {
        lock (_lists)
        {
            return ValueTask.FromResult(Get(list).Version);
        }
    }

    private (long Version, SortedDictionary<string, BlockedRecipient> Entries) Get(string list) =>
        _lists.TryGetValue(list, out var l) ? l : (0, new SortedDictionary<string, BlockedRecipient>(StringComparer.Ordinal));
}
