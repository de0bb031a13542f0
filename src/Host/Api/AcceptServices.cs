using SmsGateway.Host.Access;
using SmsGateway.Host.Accounts;
using SmsGateway.Host.Callbacks;

namespace SmsGateway.Host.Api;

/// <summary>
/// The singletons the accept path of <c>/send</c> and <c>/verify</c> uses, resolved together: one service lookup per request
/// instead of one per dependency, and the logger created once (bench/README.md "Cost model", HTTP path).
/// </summary>
/// <remarks>Thread-safe (every member is).</remarks>
internal sealed class AcceptServices(SmsPipeline pipeline, IdempotencyGuard idempotency, AccountLimitGate limits, AccountSettingsCache accounts,
    CallbackTargetGuard callbackGuard, RecipientBlockCheck blocks, ILoggerFactory loggers)
{
    /// <summary>The pipeline that validates, prices, reserves and queues.</summary>
    public SmsPipeline Pipeline { get; } = pipeline;

    /// <summary>The <c>Idempotency-Key</c> handling.</summary>
    public IdempotencyGuard Idempotency { get; } = idempotency;

    /// <summary>The per-account message limits.</summary>
    public AccountLimitGate Limits { get; } = limits;

    /// <summary>The account settings (allowed senders, default callback, <c>store_text</c>).</summary>
    public AccountSettingsCache Accounts { get; } = accounts;

    /// <summary>The callback URL check.</summary>
    public CallbackTargetGuard CallbackGuard { get; } = callbackGuard;

    /// <summary>The block lists.</summary>
    public RecipientBlockCheck Blocks { get; } = blocks;

    /// <summary>Logger of category <c>SmsGateway.Host.Api</c>.</summary>
    public ILogger Logger { get; } = loggers.CreateLogger("SmsGateway.Host.Api");
}
