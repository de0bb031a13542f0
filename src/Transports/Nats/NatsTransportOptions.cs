using SmsGateway.Model;
using NATS.Client.Core;
using NATS.Client.JetStream.Models;

namespace SmsGateway.Transports.Nats;

/// <summary>
/// Settings of <see cref="NatsTransport"/> (config section suggested: <c>Transport:Nats</c>, keys = property names).
/// The topic → subject / stream mapping lives here, in <see cref="SubjectOf"/> and <see cref="StreamOf"/>:
/// <c>sms-express</c> → subject <c>{SubjectPrefix}.express</c> in stream <c>{StreamPrefix}EXPRESS</c>, and likewise
/// <c>normal</c>, <c>dlq</c>, <c>status</c>; poison messages go to <c>{SubjectPrefix}.dead.&lt;name&gt;</c> in <c>{StreamPrefix}DEAD</c>.
/// </summary>
public sealed record NatsTransportOptions
{
    private static readonly Dictionary<string, string> TopicNames = new(StringComparer.Ordinal)
    {
        [Topics.Express] = "express",
        [Topics.Normal] = "normal",
        [Topics.DeadLetter] = "dlq",
        [Topics.Status] = "status",
        [Topics.Callback] = "callback",
    };

    /// <summary>
    /// Server URL, or several separated by commas (a cluster's seed list); scheme <c>nats://</c>, or <c>tls://</c> to
    /// require TLS. Credentials do not belong in the URL: use <see cref="Username"/>, <see cref="Token"/> etc. Default
    /// <c>nats://127.0.0.1:4222</c>.
    /// </summary>
    public string Url { get; init; } = "nats://127.0.0.1:4222";

    /// <summary>Client name shown by the server. Default <c>smsgateway</c>.</summary>
    public string ClientName { get; init; } = "smsgateway";

    /// <summary>Prefix of stream names (A-Z, 0-9, _ and -). Default <c>SMS_</c>.</summary>
    public string StreamPrefix { get; init; } = "SMS_";

    /// <summary>First subject token(s) (no wildcards). Default <c>sms</c>.</summary>
    public string SubjectPrefix { get; init; } = "sms";

    /// <summary>Stream storage. Default file (survives server restarts).</summary>
    public StreamConfigStorage Storage { get; init; } = StreamConfigStorage.File;

    /// <summary>
    /// Copies of every stream (JetStream <c>num_replicas</c>): 1 on a single server, 3 or 5 on a cluster of at least that
    /// many nodes, where a stream survives the loss of a minority of them (R3: one node, R5: two). Odd only, because
    /// JetStream's Raft groups need a majority. Default 1. With 3 or 5 set <see cref="Url"/> to several nodes.
    /// </summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Window in which a repeated message id is dropped as a duplicate. Default 2 min.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long status events stay in the status stream (limits retention, replayable). Default 7 days.</summary>
    public TimeSpan StatusMaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long dead-lettered messages stay in the dead stream. Default 14 days.</summary>
    public TimeSpan DeadLetterMaxAge { get; init; } = TimeSpan.FromDays(14);

    /// <summary>
    /// Optional cap on the deliveries of one message a subscriber may see; the next one is moved to the dead stream and
    /// acked, or terminated on the status stream (the server's own max_deliver stays unlimited: nats-server 2.9 would leave
    /// an exhausted message stuck in a work-queue stream). 0 for unlimited. Default 0: the pipeline naks during an outage
    /// (ledger, store, broker) with a growing delay and dead-letters only what it cannot decode, so a cap would move
    /// good messages out of the way of a long outage (README "Durability").
    /// </summary>
    public int MaxDeliver { get; init; }

    /// <summary>Most unacked messages over all members of a group (consumer <c>max_ack_pending</c>); at least the subscription's MaxInFlight. Default 20000.</summary>
    public int MaxAckPending { get; init; } = 20_000;

    /// <summary>Time a publish waits for the broker's ack, retries (same message id) included, in ms. Default 5000.</summary>
    public int PublishTimeoutMs { get; init; } = 5000;

    /// <summary>
    /// Most messages one pull request asks for (a subscription pulls its free room in requests of at most this many).
    /// The server writes a pull's messages to the connection at once, and cuts off a client whose unread bytes pass its
    /// <c>max_pending</c> (nats-server default 64 MB) as a slow consumer; the lost connection strands every delivery in
    /// flight until its ack wait. A frame of 100 messages is about 33 KB with short texts and at most about 170 KB (ten
    /// UCS-2 segments each), so 256 of them stay near 8 MB and under 44 MB, where the 2,048 frames of a full
    /// <c>MaxInFlight</c> would be some 67 MB (docs/architecture.md "Message frames"). Default 256.
    /// </summary>
    public int MaxFetchMessages { get; init; } = 256;

    /// <summary>Lifetime of one pull request, in ms. Default 30000.</summary>
    public int PullExpiresMs { get; init; } = 30_000;

    /// <summary>Server heartbeat interval of a waiting pull, in ms. Default 5000.</summary>
    public int IdleHeartbeatMs { get; init; } = 5000;

    /// <summary>Client PING interval (stale-connection detection after 2 missed PONGs), in ms. Default 10000.</summary>
    public int PingIntervalMs { get; init; } = 10_000;

    /// <summary>Largest reconnect backoff (before jitter), in ms. Default 2000.</summary>
    public int ReconnectWaitMaxMs { get; init; } = 2000;

    /// <summary>Time for TCP connect + handshake and for JetStream API requests, in ms. Default 5000.</summary>
    public int RequestTimeoutMs { get; init; } = 5000;

    /// <summary>User name for user/password authentication (with <see cref="Password"/>); null for none.</summary>
    public string? Username { get; init; }

    /// <summary>Password for user/password authentication (with <see cref="Username"/>); null for none.</summary>
    public string? Password { get; init; }

    /// <summary>Token for token authentication; null for none.</summary>
    public string? Token { get; init; }

    /// <summary>NKey user seed (<c>SU…</c>) for NKey challenge authentication; null for none.</summary>
    public string? NKeySeed { get; init; }

    /// <summary>
    /// Path of a <c>.creds</c> file (user JWT and NKey seed, as written by <c>nsc</c>) for decentralised JWT
    /// authentication; null for none.
    /// </summary>
    public string? CredsFile { get; init; }

    /// <summary>TLS use (NATS.Net <see cref="NATS.Client.Core.TlsMode"/>): <c>Auto</c> (TLS when the URL is <c>tls://</c>, a TLS file is set or the server requires it), <c>Prefer</c>, <c>Require</c>, <c>Implicit</c> (TLS before the INFO line) or <c>Disable</c>. Default <c>Auto</c>.</summary>
    public TlsMode TlsMode { get; init; } = TlsMode.Auto;

    /// <summary>PEM file of the CA(s) that sign the server's certificate; null for the system store.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>PEM client certificate for mutual TLS (with <see cref="TlsKeyFile"/>); null for none.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertFile"/>; null for none.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>Shared defaults.</summary>
    public static NatsTransportOptions Default { get; } = new();

    /// <summary>The NATS subject of <paramref name="topic"/>.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Topics.All"/>.</exception>
    public string SubjectOf(string topic) => $"{SubjectPrefix}.{NameOf(topic)}";

    /// <summary>The stream holding <paramref name="topic"/>.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Topics.All"/>.</exception>
    public string StreamOf(string topic) => StreamPrefix + NameOf(topic).ToUpperInvariant();

    /// <summary>Subject a poison message of <paramref name="topic"/> is moved to.</summary>
    public string DeadSubjectOf(string topic) => $"{SubjectPrefix}.dead.{NameOf(topic)}";

    /// <summary>The stream of dead-lettered messages.</summary>
    public string DeadStream => StreamPrefix + "DEAD";

    /// <summary>Checks every value; the exception's <see cref="ArgumentException.ParamName"/> is the property (configuration key) at fault.</summary>
    /// <exception cref="ArgumentException">A value is out of range or malformed, or a named file does not exist.</exception>
    public NatsTransportOptions Validate()
    {
        ValidateUrl();
        ArgumentException.ThrowIfNullOrWhiteSpace(ClientName);
        if (string.IsNullOrEmpty(StreamPrefix) || !StreamPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException($"StreamPrefix '{StreamPrefix}' must be non-empty and use only letters, digits, _ and -", nameof(StreamPrefix));
        }

        if (string.IsNullOrEmpty(SubjectPrefix) || SubjectPrefix.Any(c => c is '*' or '>' or ' ' or '\t') || SubjectPrefix.StartsWith('.') || SubjectPrefix.EndsWith('.'))
        {
            throw new ArgumentException($"SubjectPrefix '{SubjectPrefix}' must be a subject without wildcards", nameof(SubjectPrefix));
        }

        if (Replicas is not (1 or 3 or 5))
        {
            throw new ArgumentOutOfRangeException(nameof(Replicas), Replicas, "Nats:Replicas must be 1, 3 or 5");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(DuplicateWindow, TimeSpan.FromSeconds(1), nameof(DuplicateWindow));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StatusMaxAge, TimeSpan.Zero, nameof(StatusMaxAge));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DeadLetterMaxAge, TimeSpan.Zero, nameof(DeadLetterMaxAge));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxDeliver, nameof(MaxDeliver));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAckPending, 1, nameof(MaxAckPending));
        ArgumentOutOfRangeException.ThrowIfLessThan(PublishTimeoutMs, 1, nameof(PublishTimeoutMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFetchMessages, 1, nameof(MaxFetchMessages));
        ArgumentOutOfRangeException.ThrowIfLessThan(PullExpiresMs, 1000, nameof(PullExpiresMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(IdleHeartbeatMs, 100, nameof(IdleHeartbeatMs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(IdleHeartbeatMs, PullExpiresMs / 2, nameof(IdleHeartbeatMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(PingIntervalMs, 100, nameof(PingIntervalMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectWaitMaxMs, 10, nameof(ReconnectWaitMaxMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestTimeoutMs, 100, nameof(RequestTimeoutMs));
        NatsSecurityValidation.Validate(this);
        return this;
    }

    private void ValidateUrl()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            throw new ArgumentException("Nats:Url is required", nameof(Url));
        }

        foreach (var part in Url.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls" or "ws" or "wss") || string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException($"Nats:Url '{part}' must be nats://host:port, tls://host:port, ws:// or wss://", nameof(Url));
            }

            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new ArgumentException("Nats:Url must not carry credentials; set Nats:Username/Password or Nats:Token", nameof(Url));
            }
        }
    }

    private static string NameOf(string topic) =>
        topic is not null && TopicNames.TryGetValue(topic, out var name)
            ? name
            : throw new ArgumentException($"unknown topic '{topic}'; expected one of {string.Join(", ", Topics.All)}", nameof(topic));
}
