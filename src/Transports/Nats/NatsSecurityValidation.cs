using NATS.Client.Core;
using NATS.NKeys;

namespace SmsGateway.Transports.Nats;

/// <summary>
/// Start-up checks of the authentication and TLS settings of <see cref="NatsTransportOptions"/>, so that a wrong key fails
/// the host at start instead of the first connect. Each exception's message starts with the configuration key at fault
/// (e.g. <c>Nats:CredsFile</c>, section <c>Nats</c> of the host) and its <see cref="ArgumentException.ParamName"/> is the property. Rules follow the NATS server's authentication modes
/// (https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro): one mode per connection.
/// </summary>
internal static class NatsSecurityValidation
{
    /// <summary>Checks the auth and TLS values of <paramref name="o"/>.</summary>
    /// <exception cref="ArgumentException">Two auth modes at once, half of user/password, a malformed seed, a creds or TLS file that is missing or malformed.</exception>
    public static void Validate(NatsTransportOptions o)
    {
        var modes = new List<string>(4);
        if (o.Username is not null || o.Password is not null)
        {
            modes.Add(nameof(o.Username));
        }

        if (o.Token is not null)
        {
            modes.Add(nameof(o.Token));
        }

        if (o.NKeySeed is not null)
        {
            modes.Add(nameof(o.NKeySeed));
        }

        if (o.CredsFile is not null)
        {
            modes.Add(nameof(o.CredsFile));
        }

        if (modes.Count > 1)
        {
            throw new ArgumentException($"Nats:{modes[1]}: set one authentication mode, not {string.Join(" and ", modes)}", modes[1]);
        }

        if (o.Username is not null || o.Password is not null)
        {
            if (string.IsNullOrWhiteSpace(o.Username))
            {
                throw new ArgumentException("Nats:Username is required with Nats:Password", nameof(o.Username));
            }

            if (string.IsNullOrEmpty(o.Password))
            {
                throw new ArgumentException("Nats:Password is required with Nats:Username", nameof(o.Password));
            }
        }

        if (o.Token is not null && string.IsNullOrWhiteSpace(o.Token))
        {
            throw new ArgumentException("Nats:Token must not be empty", nameof(o.Token));
        }

        if (o.NKeySeed is not null)
        {
            _ = PublicKeyOf(o.NKeySeed);
        }

        if (o.CredsFile is not null)
        {
            ValidateCredsFile(o.CredsFile);
        }

        RequireFile(o.TlsCaFile, nameof(o.TlsCaFile));
        RequireFile(o.TlsCertFile, nameof(o.TlsCertFile));
        RequireFile(o.TlsKeyFile, nameof(o.TlsKeyFile));
        if ((o.TlsCertFile is null) != (o.TlsKeyFile is null))
        {
            throw new ArgumentException("Nats:TlsCertFile and Nats:TlsKeyFile go together (mutual TLS)", o.TlsCertFile is null ? nameof(o.TlsCertFile) : nameof(o.TlsKeyFile));
        }

        if (o.TlsMode == TlsMode.Disable && (o.Url.Contains("tls://", StringComparison.OrdinalIgnoreCase) || o.TlsCaFile is not null || o.TlsCertFile is not null))
        {
            throw new ArgumentException("Nats:TlsMode is Disable but Nats:Url is tls:// or a TLS file is set", nameof(o.TlsMode));
        }
    }

    /// <summary>The public user key (<c>U…</c>) of an NKey user seed (<c>SU…</c>).</summary>
    /// <exception cref="ArgumentException">Not a valid user seed (paramName <c>NKeySeed</c>).</exception>
    public static string PublicKeyOf(string seed)
    {
        if (!seed.StartsWith("SU", StringComparison.Ordinal))
        {
            throw new ArgumentException("Nats:NKeySeed must be an NKey user seed (starting with SU)", nameof(NatsTransportOptions.NKeySeed));
        }

        try
        {
            using var pair = KeyPair.FromSeed(seed.AsSpan());
            return pair.GetPublicKey();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // the NKeys library throws several types for a bad checksum or encoding; the seed itself is never echoed
            throw new ArgumentException("Nats:NKeySeed is not a valid NKey seed (bad encoding or checksum)", nameof(NatsTransportOptions.NKeySeed), ex);
        }
    }

    private static void ValidateCredsFile(string path)
    {
        RequireFile(path, nameof(NatsTransportOptions.CredsFile));
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Nats:CredsFile '{path}' cannot be read: {ex.Message}", nameof(NatsTransportOptions.CredsFile), ex);
        }

        // the two armoured blocks NATS.Net's creds loader looks for
        if (!text.Contains("-----BEGIN NATS USER JWT-----", StringComparison.Ordinal) || !text.Contains("-----BEGIN USER NKEY SEED-----", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Nats:CredsFile '{path}' must hold a NATS USER JWT block and a USER NKEY SEED block (as written by nsc)", nameof(NatsTransportOptions.CredsFile));
        }
    }

    private static void RequireFile(string? path, string key)
    {
        if (path is not null && !File.Exists(path))
        {
            throw new ArgumentException($"Nats:{key} '{path}' does not exist", key);
        }
    }
}
