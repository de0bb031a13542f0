using SmsGateway.Load.Api;
using SmsGateway.Load.Generation;

namespace SmsGateway.Load.Replay;

/// <summary>A replayed line, the user id it ran as, the final answer and how many 429/503 answers preceded it.</summary>
public sealed record LineResult(RequestLine Line, string? UserId, SendOutcome Outcome, int Throttled);
