using System.Collections.Concurrent;

namespace SmsGateway.Templates;

/// <summary>Templates in process memory (embedded profile, tests); lost on restart.</summary>
public sealed class InMemoryTemplateStore : ITemplateStore
{
    private readonly ConcurrentDictionary<(string UserId, string Name), MessageTemplate> _templates = new();

    /// <inheritdoc />
    public ValueTask<MessageTemplate?> GetAsync(string userId, string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_templates.TryGetValue((userId, name), out var t) ? t : null);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MessageTemplate>> ListAsync(string userId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<MessageTemplate>>(
            [.. _templates.Values.Where(t => t.UserId == userId).OrderBy(t => t.Name, StringComparer.Ordinal)]);

    /// <inheritdoc />
    public ValueTask SaveAsync(MessageTemplate template, CancellationToken cancellationToken)
    {
        _templates[(template.UserId, template.Name)] = template with { Tokens = new Dictionary<string, TemplateToken>(template.Tokens) };
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string userId, string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_templates.TryRemove((userId, name), out _));
}
