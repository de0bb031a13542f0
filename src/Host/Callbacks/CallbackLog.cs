using Microsoft.Extensions.Caching.Memory;

namespace SmsGateway.Host.Callbacks;

/// <summary>One POST of a status callback, as <c>GET /messages/{id}/callbacks</c> shows it.</summary>
/// <param name="Status">The message status the callback reported.</param>
/// <param name="Try">1 for the first POST of this status.</param>
/// <param name="At">When the POST ended (UTC).</param>
/// <param name="Outcome"><c>delivered</c> (2xx), <c>retrying</c>, or <c>abandoned</c> (gave up after the maximum age).</param>
/// <param name="HttpStatus">The receiver's HTTP status, or null when none came (timeout, refused target, network error).</param>
/// <param name="Error">Why it failed, without internal addresses; null on success.</param>
/// <param name="NextTryAt">When the next POST is due, for <c>retrying</c>.</param>
public sealed record CallbackAttempt(string Status, int Try, DateTimeOffset At, string Outcome, int? HttpStatus, string? Error, DateTimeOffset? NextTryAt);

/// <summary>
/// The callback attempts this process made, per message, kept in a bounded in-memory cache for 48 h (a message's
/// attempts are visible on the process whose callback sender made them; the embedded profile runs one).
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class CallbackLog : IDisposable
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(48);
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 500_000 });

    // MemoryCache.GetOrCreate is not atomic: two first attempts of one message (its "sent" and "delivered" callbacks
    // run at once when the receipt is immediate) could each create a list, and the later one replaced the other.
    private readonly Lock _create = new();

    /// <summary>Adds an attempt of message <paramref name="id"/>.</summary>
    public void Record(Guid id, CallbackAttempt attempt)
    {
        List<CallbackAttempt> list;
        lock (_create)
        {
            list = _cache.GetOrCreate(id, e =>
            {
                e.SetSize(1).SetSlidingExpiration(Keep);
                return new List<CallbackAttempt>();
            })!;
        }

        lock (list)
        {
            list.Add(attempt);
        }
    }

    /// <summary>The attempts of message <paramref name="id"/>, oldest first; empty when none are known.</summary>
    public IReadOnlyList<CallbackAttempt> Get(Guid id)
    {
        if (!_cache.TryGetValue(id, out List<CallbackAttempt>? list) || list is null)
        {
            return [];
        }

        lock (list)
        {
            return [.. list];
        }
    }

    /// <inheritdoc />
    public void Dispose() => _cache.Dispose();
}
