using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SmsGateway.Host.Access;

/// <summary>
/// Scheme <c>Open</c> of open development mode (README "Security"): every request is an admin. Registered only for the
/// embedded profile bound to loopback with no credential configured.
/// </summary>
internal sealed class OpenAccessHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Open";

    // The same answer for every request (the principal never changes; see ApiKeyAuthenticationHandler on sharing it).
    private static readonly Task<AuthenticateResult> Admin =
        Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new GatewayPrincipal("admin", AccessClaims.AdminRole, null, SchemeName), SchemeName)));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Admin;
}
