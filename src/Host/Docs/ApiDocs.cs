using Scalar.AspNetCore;

namespace SmsGateway.Host.Docs;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>, Microsoft.AspNetCore.OpenApi) completed by <see cref="SecuritySchemesTransformer"/>,
/// <see cref="OperationDocsTransformer"/> and <see cref="TagsTransformer"/>, and the browsable reference at <c>/docs</c> (Scalar.AspNetCore, its script served
/// from the package, so it works without internet). Both are anonymous and answer on every port.
/// </summary>
public static class ApiDocs
{
    /// <summary>Path of the browsable reference.</summary>
    public const string DocsPath = "/docs";

    /// <summary>Registers the document and its transformers.</summary>
    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<SecuritySchemesTransformer>();
            o.AddOperationTransformer<OperationDocsTransformer>();
            o.AddDocumentTransformer<TagsTransformer>();
        });

    /// <summary>Maps <c>/openapi/v1.json</c> and <c>/docs</c>.</summary>
    public static WebApplication MapGatewayDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(DocsPath, o => o.WithTitle("SMS gateway API").WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableDefaultFonts() // no font download: the reference works without internet
                .AddPreferredSecuritySchemes(SecuritySchemesTransformer.ApiKey))
            .AllowAnonymous();
        return app;
    }
}
