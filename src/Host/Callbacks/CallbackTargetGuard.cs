using System.Net;
using System.Net.Sockets;

namespace SmsGateway.Host.Callbacks;

/// <summary>
/// Keeps callbacks away from internal services (SSRF, OWASP "Server Side Request Forgery Prevention Cheat Sheet"): a
/// callback URL must be absolute http or https without user info, and unless private targets are allowed, every address
/// its host resolves to must be public. The check runs when a URL is accepted and again on every connection (the
/// handler's connect callback connects only to checked addresses, so a DNS answer that changes later cannot reach
/// an internal address).
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class CallbackTargetGuard(bool allowPrivateTargets)
{
    /// <summary>Whether private targets are allowed.</summary>
    public bool AllowPrivateTargets { get; } = allowPrivateTargets;

    /// <summary>Parses an absolute http/https URL without user info; null with <paramref name="error"/> otherwise.</summary>
    public static Uri? Parse(string url, out string? error)
    {
        error = null;
        if (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            error = "must be an absolute URL of at most 2048 characters";
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            error = "must use http or https";
            return null;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            error = "must not contain user info";
            return null;
        }

        return uri;
    }

    /// <summary>Resolves the URL's host and checks every address; null when allowed, otherwise why not (no address is disclosed).</summary>
    public async ValueTask<string?> CheckAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (AllowPrivateTargets)
        {
            return null;
        }

        try
        {
            var addresses = await ResolveAsync(uri.IdnHost, cancellationToken).ConfigureAwait(false);
            return addresses.Length == 0 ? "host does not resolve" : addresses.Any(IsNonPublic) ? "host resolves to a private, loopback or otherwise internal address" : null;
        }
        catch (SocketException)
        {
            return "host does not resolve";
        }
    }

    /// <summary>An HTTP handler whose connections go only to addresses this guard allows.</summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        ConnectTimeout = connectTimeout,
        AllowAutoRedirect = false, // a redirect could lead anywhere
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = await ResolveAsync(context.DnsEndPoint.Host, cancellationToken).ConfigureAwait(false);
            if (!AllowPrivateTargets && (addresses.Length == 0 || addresses.Any(IsNonPublic)))
            {
                throw new HttpRequestException("callback target refused: it resolves to a non-public address");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>True for loopback, private (RFC 1918, RFC 4193), link-local, CGNAT (RFC 6598), unspecified, multicast, broadcast and documentation-free reserved ranges.</summary>
    public static bool IsNonPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] is >= 64 and <= 127);
        }

        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal;
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
}
