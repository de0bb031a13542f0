using System.Text.Json;

namespace SmsGateway.Operators.Smpp;

/// <summary>
/// One operator's SMPP connection, read from its <c>connection</c> object in <c>operator.json</c> (keys in snake_case, see
/// README "Operators over SMPP"). Built only through <see cref="Parse"/>, which checks every invariant.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record SmppConnectionOptions
{
    /// <summary>SMSC host name or IP address (<c>host</c>).</summary>
    public required string Host { get; init; }

    /// <summary>SMSC TCP port (<c>port</c>), 1..65535.</summary>
    public required int Port { get; init; }

    /// <summary>ESME system_id (<c>system_id</c>), 1..15 ASCII characters.</summary>
    public required string SystemId { get; init; }

    /// <summary>Bind password (<c>password</c>), 0..8 ASCII characters.</summary>
    public string Password { get; init; } = string.Empty;

    /// <summary>system_type (<c>system_type</c>), 0..12 ASCII characters.</summary>
    public string SystemType { get; init; } = string.Empty;

    /// <summary>Binds per operator (<c>binds</c>), 1..32: transceivers, or transmitter+receiver pairs.</summary>
    public int Binds { get; init; } = 1;

    /// <summary><c>bind_mode</c>: <c>trx</c> (default) or <c>tx_rx</c>.</summary>
    public BindMode BindMode { get; init; } = BindMode.Transceiver;

    /// <summary>Outstanding submit_sm per bind awaiting their response (<c>window</c>), 1..1000.</summary>
    public int Window { get; init; } = 10;

    /// <summary>submit_sm per second per bind (<c>throughput_per_second</c>); 0 = no limit.</summary>
    public int ThroughputPerSecond { get; init; }

    /// <summary>The operator's default source address (<c>source_addr</c>): a line number or an alphanumeric sender, 1..20 characters.</summary>
    public required string SourceAddr { get; init; }

    /// <summary>Fixed source_addr_ton (<c>source_addr_ton</c>), or null to choose it from the address (see <see cref="SourceAddress"/>).</summary>
    public byte? SourceAddrTon { get; init; }

    /// <summary>Fixed source_addr_npi (<c>source_addr_npi</c>), or null to choose it from the address.</summary>
    public byte? SourceAddrNpi { get; init; }

    /// <summary>Ask for delivery receipts (<c>registered_delivery</c>, default true): registered_delivery = 1.</summary>
    public bool RegisteredDelivery { get; init; } = true;

    /// <summary><c>concatenation</c>: <c>udh8</c> (default), <c>udh16</c>, <c>sar</c> or <c>payload</c>.</summary>
    public ConcatenationMode Concatenation { get; init; } = ConcatenationMode.Udh8;

    /// <summary>service_type of submit_sm (<c>service_type</c>), 0..5 characters.</summary>
    public string ServiceType { get; init; } = string.Empty;

    /// <summary>Time to wait for any response PDU, ms (<c>response_timeout_ms</c>, default 10000).</summary>
    public int ResponseTimeoutMs { get; init; } = 10_000;

    /// <summary>TCP connect plus bind_resp timeout, ms (<c>connect_timeout_ms</c>, default 5000).</summary>
    public int ConnectTimeoutMs { get; init; } = 5_000;

    /// <summary>Idle time after which an enquire_link is sent, ms (<c>enquire_link_interval_ms</c>, default 30000).</summary>
    public int EnquireLinkIntervalMs { get; init; } = 30_000;

    /// <summary>Silence after an enquire_link after which the link is declared dead and re-established, ms (<c>dead_link_timeout_ms</c>, default 10000).</summary>
    public int DeadLinkTimeoutMs { get; init; } = 10_000;

    /// <summary>First reconnect delay, ms (<c>reconnect_min_ms</c>, default 500); doubles per failure, ±20 % jitter.</summary>
    public int ReconnectMinMs { get; init; } = 500;

    /// <summary>Largest reconnect delay, ms (<c>reconnect_max_ms</c>, default 30000).</summary>
    public int ReconnectMaxMs { get; init; } = 30_000;

    /// <summary>First pause of a bind after ESME_RTHROTTLED / ESME_RMSGQFUL, ms (<c>throttle_backoff_ms</c>, default 100); doubles while throttled.</summary>
    public int ThrottleBackoffMs { get; init; } = 100;

    /// <summary>Longest such pause, ms (<c>throttle_backoff_max_ms</c>, default 5000).</summary>
    public int ThrottleBackoffMaxMs { get; init; } = 5_000;

    /// <summary>Reads and checks one operator's <c>connection</c> object.</summary>
    /// <param name="operatorName">Operator name, used in messages as <c>operators[NAME].connection.KEY</c>.</param>
    /// <param name="connection">The JSON object.</param>
    /// <exception cref="ArgumentException">A key is missing, unknown, of the wrong type or out of range; the message names it.</exception>
    public static SmppConnectionOptions Parse(string operatorName, JsonElement connection)
    {
        var json = new ConnectionJson(operatorName, connection);
        var options = new SmppConnectionOptions
        {
            Host = json.String("host", required: true, maxLength: 253)!,
            Port = json.Int("port", null, 1, 65_535),
            SystemId = json.String("system_id", required: true, maxLength: 15, ascii: true)!,
            Password = json.String("password", required: false, maxLength: 8, ascii: true) ?? string.Empty,
            SystemType = json.String("system_type", required: false, maxLength: 12, ascii: true) ?? string.Empty,
            Binds = json.Int("binds", 1, 1, 32),
            BindMode = json.Choice("bind_mode", BindMode.Transceiver, ("trx", BindMode.Transceiver), ("tx_rx", BindMode.TransmitterReceiver)),
            Window = json.Int("window", 10, 1, 1000),
            ThroughputPerSecond = json.Int("throughput_per_second", 0, 0, 100_000),
            SourceAddr = json.String("source_addr", required: true, maxLength: 20, ascii: true)!,
            SourceAddrTon = json.OptionalByte("source_addr_ton", 6),
            SourceAddrNpi = json.OptionalByte("source_addr_npi", 18),
            RegisteredDelivery = json.Bool("registered_delivery", true),
            Concatenation = json.Choice(
                "concatenation",
                ConcatenationMode.Udh8,
                ("udh8", ConcatenationMode.Udh8),
                ("udh16", ConcatenationMode.Udh16),
                ("sar", ConcatenationMode.Sar),
                ("payload", ConcatenationMode.Payload)),
            ServiceType = json.String("service_type", required: false, maxLength: 5, ascii: true) ?? string.Empty,
            ResponseTimeoutMs = json.Int("response_timeout_ms", 10_000, 50, 600_000),
            ConnectTimeoutMs = json.Int("connect_timeout_ms", 5_000, 50, 600_000),
            EnquireLinkIntervalMs = json.Int("enquire_link_interval_ms", 30_000, 50, 3_600_000),
            DeadLinkTimeoutMs = json.Int("dead_link_timeout_ms", 10_000, 50, 600_000),
            ReconnectMinMs = json.Int("reconnect_min_ms", 500, 10, 600_000),
            ReconnectMaxMs = json.Int("reconnect_max_ms", 30_000, 10, 3_600_000),
            ThrottleBackoffMs = json.Int("throttle_backoff_ms", 100, 1, 600_000),
            ThrottleBackoffMaxMs = json.Int("throttle_backoff_max_ms", 5_000, 1, 600_000),
        };
        json.RejectUnknownKeys();
        if (options.ReconnectMaxMs < options.ReconnectMinMs)
        {
            throw new ArgumentException($"{json.KeyPath("reconnect_max_ms")}: must be at least reconnect_min_ms ({options.ReconnectMinMs})", nameof(connection));
        }

        if (options.ThrottleBackoffMaxMs < options.ThrottleBackoffMs)
        {
            throw new ArgumentException($"{json.KeyPath("throttle_backoff_max_ms")}: must be at least throttle_backoff_ms ({options.ThrottleBackoffMs})", nameof(connection));
        }

        SourceAddress.Choose(null, options); // the default sender must be usable as it is
        return options;
    }
}
