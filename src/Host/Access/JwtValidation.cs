using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace SmsGateway.Host.Access;

/// <summary>
/// JWT bearer settings (RFC 7519): issuer, audience, lifetime and signature are validated by
/// <see cref="JwtBearerHandler"/>; the configured user-id and role claims are then mapped onto the gateway's principal
/// (<see cref="AccessClaims"/>). A token without the user-id claim, or with a role other than admin/client, is refused.
/// </summary>
internal static class JwtValidation
{
    public static void Configure(JwtBearerOptions options, JwtSettings jwt)
    {
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            IssuerSigningKeys = SigningKeys(jwt),
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
        };
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var userId = context.Principal?.FindFirst(jwt.UserIdClaim)?.Value;
                var role = context.Principal?.FindFirst(jwt.RoleClaim)?.Value ?? AccessClaims.ClientRole;
                if (string.IsNullOrEmpty(userId) || role is not (AccessClaims.AdminRole or AccessClaims.ClientRole))
                {
                    context.Fail($"the token needs a '{jwt.UserIdClaim}' claim and a '{jwt.RoleClaim}' of admin or client");
                    return Task.CompletedTask;
                }

                context.Principal = new GatewayPrincipal(userId, role, null, JwtBearerDefaults.AuthenticationScheme);
                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                var failures = context.HttpContext.RequestServices.GetRequiredService<AuthFailureTracker>();
                var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("SmsGateway.Host.Access");
                var ip = context.HttpContext.Connection.RemoteIpAddress;
                AccessLog.AuthFailed(logger, ip, "invalid JWT: " + context.Exception.GetType().Name);
                if (failures.RecordFailure(ip))
                {
                    AccessLog.Blocked(logger, ip, context.HttpContext.RequestServices.GetRequiredService<AuthOptions>().Abuse.BlockSeconds);
                }

                return Task.CompletedTask;
            },
        };
    }

    private static IEnumerable<SecurityKey> SigningKeys(JwtSettings jwt) => jwt.SigningKey is not null
        ? [new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.SigningKey))]
        : new JsonWebKeySet(File.ReadAllText(jwt.JwksFile!)).GetSigningKeys();
}
