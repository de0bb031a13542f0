using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace SmsGateway.Host.Api;

/// <summary>
/// The 202 answer of <c>/send</c> and <c>/verify</c>: a <see cref="SendResponse"/> written once as UTF-8 with a
/// <see cref="Utf8JsonWriter"/> and sent with its <c>Content-Length</c>. The bytes are exactly what
/// <c>ApiJson.Serialize</c> gives for the same response (snake_case names, no escaping of <c>+</c> or non-ASCII text;
/// a unit test holds the two together), without the serializer's metadata walk, a UTF-16 string or a content-type parse
/// per request (bench/README.md "Cost model", HTTP path).
/// </summary>
/// <remarks>Immutable; <see cref="ExecuteAsync"/> may run once per request.</remarks>
internal sealed class AcceptedAnswer : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    /// <summary>The answer's content type, as <c>Results.Text(json, "application/json", UTF8)</c> writes it.</summary>
    public const string JsonContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private AcceptedAnswer(byte[] body) => Body = body;

    /// <summary>The UTF-8 JSON body.</summary>
    public byte[] Body { get; }

    /// <inheritdoc />
    public int? StatusCode => StatusCodes.Status202Accepted;

    /// <inheritdoc />
    public string ContentType => JsonContentType;

    /// <summary>Writes <paramref name="response"/> as the answer's body. Thread-safe (per-thread scratch buffers).</summary>
    public static AcceptedAnswer Of(SendResponse response)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_writer;
        if (writer is null)
        {
            t_writer = writer = new Utf8JsonWriter(buffer, WriterOptions);
        }
        else
        {
            writer.Reset(buffer);
        }

        writer.WriteStartObject();
        writer.WriteString("id"u8, response.Id);
        writer.WriteString("status"u8, response.Status);
        writer.WriteString("phone"u8, response.Phone);
        writer.WriteString("operator"u8, response.Operator);
        writer.WriteNumber("segments"u8, response.Segments);
        writer.WriteString("encoding"u8, response.Encoding);
        writer.WriteNumber("cost"u8, response.Cost);
        writer.WriteEndObject();
        writer.Flush();
        return new AcceptedAnswer(buffer.WrittenSpan.ToArray());
    }

    /// <summary>The body as text (what an idempotent replay answers).</summary>
    public string Text() => System.Text.Encoding.UTF8.GetString(Body);

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status202Accepted;
        response.ContentType = JsonContentType;
        response.ContentLength = Body.Length;
        return response.Body.WriteAsync(Body, httpContext.RequestAborted).AsTask();
    }
}
