using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.Internal;

/// <summary>Source-generated JSON for the core protocol's INFO and CONNECT.</summary>
[JsonSerializable(typeof(ServerInfo))]
[JsonSerializable(typeof(ConnectOptions))]
internal sealed partial class ClientJsonContext : JsonSerializerContext
{
}
