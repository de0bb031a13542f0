using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Transports.Nats.Client.JetStream;

/// <summary>The JetStream context over one connection. See <see cref="INatsJSContext"/>.</summary>
public sealed class NatsJSContext : INatsJSContext
{
    private const string Api = "$JS.API.";

    /// <summary>Creates the context.</summary>
    public NatsJSContext(NatsConnection connection) => Connection = connection ?? throw new ArgumentNullException(nameof(connection));

    /// <summary>The connection used.</summary>
    public NatsConnection Connection { get; }

    /// <inheritdoc />
    public async ValueTask<StreamInfo> CreateStreamAsync(StreamConfig config, CancellationToken cancellationToken)
    {
        var info = await RequestAsync(Api + "STREAM.CREATE." + config.Name, config, JetStreamJsonContext.Default.StreamConfig, JetStreamJsonContext.Default.StreamInfo, cancellationToken).ConfigureAwait(false);
        Verify(config, info.Config);
        return info;
    }

    /// <inheritdoc />
    public async ValueTask<StreamInfo> UpdateStreamAsync(StreamConfig config, CancellationToken cancellationToken)
    {
        var info = await RequestAsync(Api + "STREAM.UPDATE." + config.Name, config, JetStreamJsonContext.Default.StreamConfig, JetStreamJsonContext.Default.StreamInfo, cancellationToken).ConfigureAwait(false);
        Verify(config, info.Config);
        return info;
    }

    /// <inheritdoc />
    public ValueTask<StreamInfo> GetStreamAsync(string stream, CancellationToken cancellationToken) =>
        RequestAsync(Api + "STREAM.INFO." + stream, ReadOnlyMemory<byte>.Empty, JetStreamJsonContext.Default.StreamInfo, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<bool> DeleteStreamAsync(string stream, CancellationToken cancellationToken)
    {
        try
        {
            var r = await RequestAsync(Api + "STREAM.DELETE." + stream, ReadOnlyMemory<byte>.Empty, JetStreamJsonContext.Default.ApiSuccessResponse, cancellationToken).ConfigureAwait(false);
            return r.Success;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask<NatsJSConsumer> CreateOrUpdateConsumerAsync(string stream, ConsumerConfig config, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(config.DurableName, "config.DurableName");
        var request = new ConsumerCreateRequest { StreamName = stream, Config = config };
        var info = await RequestAsync(
            $"{Api}CONSUMER.DURABLE.CREATE.{stream}.{config.DurableName}",
            request,
            JetStreamJsonContext.Default.ConsumerCreateRequest,
            JetStreamJsonContext.Default.ConsumerInfo,
            cancellationToken).ConfigureAwait(false);
        Verify(config, info.Config);
        return new NatsJSConsumer(this, info);
    }

    /// <inheritdoc />
    public ValueTask<ConsumerInfo> GetConsumerInfoAsync(string stream, string consumer, CancellationToken cancellationToken) =>
        RequestAsync($"{Api}CONSUMER.INFO.{stream}.{consumer}", ReadOnlyMemory<byte>.Empty, JetStreamJsonContext.Default.ConsumerInfo, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<bool> DeleteConsumerAsync(string stream, string consumer, CancellationToken cancellationToken)
    {
        try
        {
            var r = await RequestAsync($"{Api}CONSUMER.DELETE.{stream}.{consumer}", ReadOnlyMemory<byte>.Empty, JetStreamJsonContext.Default.ApiSuccessResponse, cancellationToken).ConfigureAwait(false);
            return r.Success;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask<PubAckResponse> PublishAsync(string subject, ReadOnlyMemory<byte> data, NatsHeaders? headers, string? msgId, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (msgId is not null)
        {
            headers ??= new NatsHeaders();
            headers["Nats-Msg-Id"] = msgId;
        }

        var reply = await Connection.RequestAsync(subject, data, headers, timeout, cancellationToken).ConfigureAwait(false);
        if (reply.Data.Length == 0)
        {
            throw new NatsException($"empty JetStream publish reply on '{subject}' (status {reply.Headers?.Code})");
        }

        return JsonSerializer.Deserialize(reply.Data.Span, JetStreamJsonContext.Default.PubAckResponse)
            ?? throw new NatsException("empty PubAck");
    }

    /// <summary>A handle to an existing pull consumer (no server call).</summary>
    public NatsJSConsumer GetConsumerHandle(string stream, string consumer) =>
        new(this, new ConsumerInfo { StreamName = stream, Name = consumer });

    private ValueTask<TResponse> RequestAsync<TRequest, TResponse>(string subject, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        RequestAsync(subject, JsonSerializer.SerializeToUtf8Bytes(request, requestType), responseType, cancellationToken);

    private async ValueTask<TResponse> RequestAsync<TResponse>(string subject, ReadOnlyMemory<byte> body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var reply = await Connection.RequestAsync(subject, body, headers: null, timeout: null, cancellationToken).ConfigureAwait(false);
        var envelope = JsonSerializer.Deserialize(reply.Data.Span, JetStreamJsonContext.Default.ApiErrorResponse);
        if (envelope?.Error is { } error)
        {
            throw new NatsJSApiException(error);
        }

        return JsonSerializer.Deserialize(reply.Data.Span, responseType) ?? throw new NatsException($"empty reply to {subject}");
    }

    private static void Verify(StreamConfig want, StreamConfig got)
    {
        var entity = $"stream {want.Name}";
        Check(entity, "subjects", string.Join(',', want.Subjects.Order(StringComparer.Ordinal)), string.Join(',', got.Subjects.Order(StringComparer.Ordinal)));
        Check(entity, "retention", want.Retention, got.Retention);
        Check(entity, "storage", want.Storage, got.Storage);
        Check(entity, "num_replicas", want.NumReplicas, got.NumReplicas);
        Check(entity, "max_age", want.MaxAge, got.MaxAge);
        Check(entity, "max_bytes", want.MaxBytes, got.MaxBytes);
        Check(entity, "max_msgs", want.MaxMsgs, got.MaxMsgs);
        Check(entity, "discard", want.Discard, got.Discard);
        if (want.DuplicateWindow > TimeSpan.Zero)
        {
            Check(entity, "duplicate_window", want.DuplicateWindow, got.DuplicateWindow);
        }
    }

    private static void Verify(ConsumerConfig want, ConsumerConfig got)
    {
        var entity = $"consumer {want.DurableName}";
        Check(entity, "durable_name", want.DurableName, got.DurableName);
        Check(entity, "deliver_policy", want.DeliverPolicy, got.DeliverPolicy);
        Check(entity, "ack_policy", want.AckPolicy, got.AckPolicy);
        Check(entity, "ack_wait", want.AckWait, got.AckWait);
        Check(entity, "max_deliver", want.MaxDeliver, got.MaxDeliver);
        Check(entity, "filter_subject", want.FilterSubject ?? string.Empty, got.FilterSubject ?? string.Empty);
        Check(entity, "max_ack_pending", want.MaxAckPending, got.MaxAckPending);
        Check(entity, "max_waiting", want.MaxWaiting, got.MaxWaiting);
    }

    private static void Check<T>(string entity, string field, T want, T got)
    {
        if (!EqualityComparer<T>.Default.Equals(want, got))
        {
            throw new NatsJSConfigMismatchException(entity, field, want?.ToString() ?? "null", got?.ToString() ?? "null");
        }
    }
}
