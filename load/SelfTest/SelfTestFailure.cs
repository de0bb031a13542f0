namespace SmsGateway.Load.SelfTest;

/// <summary>Thrown by a self-test assertion.</summary>
public sealed class SelfTestFailure(string message) : Exception(message)
{
    /// <summary>Throws when <paramref name="condition"/> is false.</summary>
    public static void Assert(bool condition, string message)
    {
        if (!condition) throw new SelfTestFailure(message);
    }
}
