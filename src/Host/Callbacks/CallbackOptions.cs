using System.ComponentModel.DataAnnotations;

namespace SmsGateway.Host.Callbacks;

/// <summary>Status callback settings (section <c>Callbacks</c>).</summary>
public sealed class CallbackOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Callbacks";

    /// <summary>Whether callback URLs may point at loopback, private, link-local or other non-public addresses (tests, private networks). Default false (SSRF protection).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Timeout of one POST, ms. Default 10,000.</summary>
    [Range(100, 120_000)]
    public int TimeoutMs { get; set; } = 10_000;

    /// <summary>Backoff before the first retry, ms; doubles per try up to <see cref="MaxDelayMs"/>. Default 1,000.</summary>
    [Range(10, 3_600_000)]
    public int BaseDelayMs { get; set; } = 1_000;

    /// <summary>Longest backoff, ms. Default 3,600,000 (1 h).</summary>
    [Range(10, 86_400_000)]
    public int MaxDelayMs { get; set; } = 3_600_000;

    /// <summary>How long a callback is retried after it was first queued, hours. Default 24.</summary>
    [Range(0.001, 24 * 7)]
    public double MaxAgeHours { get; set; } = 24;

    /// <summary>POSTs in flight at once per process. Default 32.</summary>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 32;

    /// <summary>Consumer group of the callback senders on <c>sms-callback</c>. Default <c>callback-senders</c>.</summary>
    [Required]
    public string Group { get; set; } = "callback-senders";

    /// <summary>Backoff before try <paramref name="tries"/> + 1 after <paramref name="tries"/> failures: base·2^(tries−1), capped.</summary>
    public TimeSpan DelayAfter(int tries) =>
        TimeSpan.FromMilliseconds(Math.Min(BaseDelayMs * Math.Pow(2, Math.Min(Math.Max(tries - 1, 0), 30)), MaxDelayMs));
}
