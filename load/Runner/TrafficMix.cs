using SmsGateway.Load.Generation;

namespace SmsGateway.Load.Runner;

/// <summary>
/// The requests a scenario sends: one-segment texts (Persian OTP for express, Latin for normal) to valid numbers of all three operators,
/// users round-robin, express chosen by a low-discrepancy sequence so any prefix of the run has the configured share. Thread-safe.
/// </summary>
public sealed class TrafficMix
{
    private readonly string[] _phones;
    private readonly IReadOnlyList<string> _users;
    private readonly double _expressShare;
    private long _next = -1;

    /// <summary>Creates the mix.</summary>
    public TrafficMix(IReadOnlyList<string> users, double expressShare, int seed)
    {
        var factory = new PhoneFactory(new Random(seed));
        string[] ops = ["MCI", "MCI", "MTN", "MTN", "Rightel"];
        _phones = [.. Enumerable.Range(0, 4096).Select(i => factory.Plain(ops[i % ops.Length]).Text)];
        _users = users;
        _expressShare = expressShare;
    }

    /// <summary>The next request: user, phone, text, type.</summary>
    public (string User, string Phone, string Text, string Type, bool Express) Next()
    {
        var i = Interlocked.Increment(ref _next);
        var express = (i * 0.6180339887498949 % 1.0) < _expressShare;
        var code = (i * 7919 % 9000) + 1000;
        return (_users[(int)(i % _users.Count)], _phones[i % _phones.Length],
            express ? $"کد تایید: {code}" : $"Your order {code} has shipped", express ? "express" : "normal", express);
    }

    /// <summary>The user of the <paramref name="k"/>-th batch request: round-robin over the users (a batch draws its phones from
    /// <see cref="Next"/>, whose user index would advance by the batch size and keep hitting the same few users).</summary>
    public string UserAt(long k) => _users[(int)(k % _users.Count)];
}
