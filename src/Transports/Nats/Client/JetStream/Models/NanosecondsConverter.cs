using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.JetStream.Models;

/// <summary>JetStream durations are integers of nanoseconds on the wire.</summary>
internal sealed class NanosecondsConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromTicks(reader.GetInt64() / 100);

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.Ticks * 100);
}
