using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SmsGateway.Host.Docs;

/// <summary>
/// Declares the two credentials of README "Security" in the document's components: <c>apiKey</c> (an API key issued by
/// <c>POST /accounts/{userId}/keys</c>, or a bootstrap admin key, as <c>Authorization: Bearer</c>) and <c>jwt</c> (a JWT
/// as <c>Authorization: Bearer</c>); and describes the service.
/// </summary>
internal sealed class SecuritySchemesTransformer : IOpenApiDocumentTransformer
{
    /// <summary>Scheme name of API keys.</summary>
    public const string ApiKey = "apiKey";

    /// <summary>Scheme name of JWTs.</summary>
    public const string Jwt = "jwt";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "SMS gateway";
        document.Info.Description = "Send SMS to Iranian mobile numbers (MCI, MTN Irancell, Rightel): validate, price, reserve, queue, report. " +
            "JSON bodies are snake_case; money is in integer minor units (Rial). Every 4xx/5xx is an RFC 9457 problem (application/problem+json) " +
            "that names the field and changes nothing. Ports: 7070 gateway (/send, /verify, /messages), 8081 billing (/charge, /balance, /accounts, " +
            "/blocklist), 6070 reports (/report, /messages). In open development mode (embedded, loopback, no credentials) no credential is needed.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "sgw_<key id>_<secret>",
            Description = "An API key from POST /accounts/{userId}/keys (role client, its own user only), or a bootstrap admin key from " +
                "Auth:AdminKeys (role admin), sent as Authorization: Bearer <key>.",
        };
        document.Components.SecuritySchemes[Jwt] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT signed with Auth:Jwt:SigningKey (HS256) or a key of Auth:Jwt:JwksFile; user id in 'sub', role in 'role' " +
                "(admin or client, absent = client); exp required.",
        };
        return Task.CompletedTask;
    }
}
