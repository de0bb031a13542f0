namespace SmsGateway.Idempotency;

/// <summary>
/// Remembers the first answer given to a request carrying an <c>Idempotency-Key</c>
/// (https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/): the first request wins, a repeat
/// gets the first answer, and the same key with a different body is refused.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public interface IIdempotencyStore
{
    /// <summary>Claims <paramref name="key"/> for a request whose body hashes to <paramref name="fingerprint"/>.</summary>
    /// <param name="key">Scope-qualified key, e.g. <c>send:123:abc</c> (scope and user included by the caller).</param>
    /// <param name="fingerprint">Hash of the request body.</param>
    /// <param name="ttl">How long the key is remembered.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="IdempotencyStoreUnavailableException">The store could not be reached in time.</exception>
    ValueTask<IdempotencyClaim> TryClaimAsync(string key, string fingerprint, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Stores the answer for a claimed key (status code and body).</summary>
    /// <exception cref="IdempotencyStoreUnavailableException">The store could not be reached in time.</exception>
    ValueTask CompleteAsync(string key, StoredResponse response, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Drops a claim whose request failed without effect, so a retry may claim the key again.</summary>
    /// <exception cref="IdempotencyStoreUnavailableException">The store could not be reached in time.</exception>
    ValueTask ReleaseAsync(string key, CancellationToken cancellationToken);
}

/// <summary>Result of <see cref="IIdempotencyStore.TryClaimAsync"/>.</summary>
/// <param name="State">What the store knew about the key.</param>
/// <param name="Response">The stored answer when <paramref name="State"/> is <see cref="IdempotencyState.Completed"/>.</param>
public readonly record struct IdempotencyClaim(IdempotencyState State, StoredResponse? Response = null);

/// <summary>State of an idempotency key.</summary>
public enum IdempotencyState
{
    /// <summary>The key was free and is now claimed by this caller.</summary>
    Claimed = 0,

    /// <summary>A request with the same body completed; replay its answer.</summary>
    Completed = 1,

    /// <summary>A request with the same body is still running.</summary>
    InProgress = 2,

    /// <summary>The key was used with a different body.</summary>
    Mismatch = 3,
}

/// <summary>A remembered HTTP answer.</summary>
/// <param name="StatusCode">HTTP status code.</param>
/// <param name="Body">UTF-8 JSON body.</param>
public sealed record StoredResponse(int StatusCode, string Body);

/// <summary>The idempotency store could not be reached in time.</summary>
public sealed class IdempotencyStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IdempotencyStoreUnavailableException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
