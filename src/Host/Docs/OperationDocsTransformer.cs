using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SmsGateway.Host.Docs;

/// <summary>
/// Completes each operation from its endpoint metadata: hand-read parameters (<see cref="DocumentedParameter"/>), examples
/// (<see cref="DocumentedExample"/>), and, for every endpoint that needs a credential, the security requirement (API key or JWT)
/// and the problem answers every such call may give (401, 403, 429, 413), each as <c>application/problem+json</c>.
/// </summary>
internal sealed class OperationDocsTransformer : IOpenApiOperationTransformer
{
    private const string ProblemJson = "application/problem+json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        foreach (var p in metadata.OfType<DocumentedParameter>())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = p.Name,
                In = p.In,
                Required = p.Required,
                Description = p.Description,
                Schema = new OpenApiSchema { Type = p.Type, Format = p.Format },
            });
        }

        foreach (var e in metadata.OfType<DocumentedExample>())
        {
            if (e.Request is not null && operation.RequestBody?.Content is { } content)
            {
                foreach (var media in content.Values)
                {
                    media.Example = JsonNode.Parse(e.Request);
                }
            }

            if (e.Response is not null && operation.Responses is not null)
            {
                foreach (var (status, response) in operation.Responses.Where(r => r.Key.StartsWith('2')))
                {
                    if (response.Content is not null && response.Content.TryGetValue("application/json", out var media))
                    {
                        media.Example = JsonNode.Parse(e.Response);
                    }
                }
            }
        }

        var secured = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        if (!secured)
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemesTransformer.ApiKey, context.Document)] = [] });
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemesTransformer.Jwt, context.Document)] = [] });
        operation.Responses ??= [];
        var problem = await context.GetOrCreateSchemaAsync(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), cancellationToken: cancellationToken);
        Add(operation, "401", "No or an invalid credential (WWW-Authenticate: Bearer realm=\"sms-gateway\")", problem);
        Add(operation, "403", "The credential may not do this (a client acting for another user, or an admin-only call)", problem);
        Add(operation, "413", "The body is larger than Auth:Abuse:MaxBodyBytes (64 KiB)", problem);
        Add(operation, "429", "A per-account or per-IP limit was reached; Retry-After says when to retry", problem);
        foreach (var (status, response) in operation.Responses.Where(r => r.Key[0] is '4' or '5'))
        {
            if (response is OpenApiResponse concrete && (concrete.Content is null || concrete.Content.Count == 0))
            {
                concrete.Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = problem } };
            }
        }
    }

    private static void Add(OpenApiOperation operation, string status, string description, IOpenApiSchema problem)
    {
        if (!operation.Responses!.ContainsKey(status))
        {
            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = problem } },
            };
        }
    }
}
