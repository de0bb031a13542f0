namespace SmsGateway.Load.Generation;

/// <summary>
/// One line of a request file (JSON Lines, snake_case). <see cref="Kind"/> is <c>charge</c> or <c>send</c>;
/// <see cref="Expect"/> is <c>ok</c> for a valid request (a send may still get 402 when the user's balance ran out) or <c>invalid</c> (must get 4xx).
/// Null request fields are left out of the body; <see cref="RawBody"/>, when set, is sent verbatim instead.
/// User ids and idempotency keys are file-local: the replay prefixes them with a run tag so a file can be replayed many times.
/// </summary>
public sealed record RequestLine
{
    public int Seq { get; init; }
    public string Kind { get; init; } = "send";
    public string? UserId { get; init; }
    public string? Amount { get; init; }
    public string? Phone { get; init; }
    public string? Text { get; init; }
    public string? Type { get; init; }
    public string? IdempotencyKey { get; init; }
    public string? RawBody { get; init; }
    public string Expect { get; init; } = "ok";
    /// <summary>For invalid lines: the field the problem details should name (<c>phone</c>, <c>text</c>, <c>type</c>, <c>user_id</c>, <c>amount</c>), or null when none can be named (malformed JSON).</summary>
    public string? InvalidField { get; init; }
    /// <summary>Why the line is invalid (or what is special about a valid one).</summary>
    public string? Reason { get; init; }
    public string? ExpectPhone { get; init; }
    public string? ExpectOperator { get; init; }
    public string? ExpectEncoding { get; init; }
    public int? ExpectSegments { get; init; }
    /// <summary>Seq of the earlier line this one repeats with the same Idempotency-Key and body.</summary>
    public int? DuplicateOf { get; init; }

    /// <summary>True for lines that must be rejected with 4xx.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsInvalid => Expect == "invalid";
}
