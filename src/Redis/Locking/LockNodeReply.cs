namespace SmsGateway.Redis;

/// <summary>Answer of one lock node.</summary>
/// <param name="Answered">False when the node failed or did not answer in time.</param>
/// <param name="Value">The script's integer reply.</param>
internal readonly record struct LockNodeReply(bool Answered, long Value)
{
    public static LockNodeReply Failed => new(false, 0);
}
