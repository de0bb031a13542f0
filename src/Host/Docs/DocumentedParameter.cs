using Microsoft.OpenApi;

namespace SmsGateway.Host.Docs;

/// <summary>
/// Endpoint metadata describing a query or header parameter that the handler reads by hand (so the OpenAPI generator cannot
/// see it); <see cref="OperationDocsTransformer"/> adds it to the operation.
/// </summary>
/// <param name="Name">The parameter's wire name.</param>
/// <param name="In"><see cref="ParameterLocation.Query"/> or <see cref="ParameterLocation.Header"/>.</param>
/// <param name="Type">JSON schema type of the value.</param>
/// <param name="Description">What it does, with units and limits.</param>
/// <param name="Required">True when the call fails without it.</param>
/// <param name="Format">Optional schema format (<c>date-time</c>, <c>uuid</c>, <c>int64</c>).</param>
public sealed record DocumentedParameter(string Name, ParameterLocation In, JsonSchemaType Type, string Description, bool Required = false, string? Format = null)
{
    /// <summary>The optional <c>Idempotency-Key</c> header of <c>/send</c>, <c>/verify</c> and <c>/charge</c>.</summary>
    public static readonly DocumentedParameter IdempotencyKey = new("Idempotency-Key", ParameterLocation.Header, JsonSchemaType.String,
        "Makes a retry safe: the first answer for this key (per user, remembered Gateway:IdempotencyKeyHours, 24 h) is replayed; the same key " +
        "with another body is 422, one still in progress 409.");
}

/// <summary>Endpoint metadata: a JSON example of the request body, and optionally of the success answer.</summary>
/// <param name="Request">The body, as JSON text; null for none.</param>
/// <param name="Response">The success answer, as JSON text; null for none.</param>
/// <param name="Summary">What the example shows.</param>
public sealed record DocumentedExample(string? Request, string? Response, string Summary);
