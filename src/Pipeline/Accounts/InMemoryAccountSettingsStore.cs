using System.Collections.Concurrent;

namespace SmsGateway.Accounts;

/// <summary>Account settings in process memory (embedded profile, tests); lost on restart.</summary>
public sealed class InMemoryAccountSettingsStore : IAccountSettingsStore
{
    private readonly ConcurrentDictionary<string, AccountSettings> _settings = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<AccountSettings> GetAsync(string userId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_settings.TryGetValue(userId, out var s) ? s : AccountSettings.Empty(userId));

    /// <inheritdoc />
    public ValueTask SaveAsync(AccountSettings settings, CancellationToken cancellationToken)
    {
        _settings[settings.UserId] = settings with { AllowedSenders = [.. settings.AllowedSenders] };
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> FindAccountsBySenderAsync(IReadOnlyList<string> senders, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([.. _settings.Values.Where(s => s.AllowedSenders.Any(senders.Contains))
            .Select(s => s.UserId).Order(StringComparer.Ordinal)]);
}
