using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Dispatch;
using SmsGateway.Operators.Smpp;

namespace SmsGateway.Tests.Smpp;

/// <summary>The <c>connection</c> object: validation errors name the key; sender TON/NPI.</summary>
public sealed class ConnectionOptionsTests
{
    private const string Valid = """{"type":"smpp","host":"10.0.0.1","port":2775,"system_id":"gw","password":"pw","source_addr":"3000123"}""";

    [Theory]
    [InlineData("""{"type":"smpp","port":2775,"system_id":"gw","source_addr":"1"}""", "operators[MCI].connection.host: is required")]
    [InlineData("""{"type":"smpp","host":"h","port":70000,"system_id":"gw","source_addr":"1"}""", "operators[MCI].connection.port: must be between 1 and 65535")]
    [InlineData("""{"type":"smpp","host":"h","port":"2775","system_id":"gw","source_addr":"1"}""", "operators[MCI].connection.port: must be an integer")]
    [InlineData("""{"type":"smpp","host":"h","port":1,"system_id":"a-system-id-too-long","source_addr":"1"}""", "operators[MCI].connection.system_id: must be at most 15 characters")]
    [InlineData("""{"type":"smpp","host":"h","port":1,"system_id":"gw","password":"longer-than-8","source_addr":"1"}""", "operators[MCI].connection.password: must be at most 8 characters")]
    [InlineData("""{"type":"smpp","host":"h","port":1,"system_id":"gw"}""", "operators[MCI].connection.source_addr: is required")]
    [InlineData("""{"type":"smpp","host":"h","port":1,"system_id":"gw","source_addr":"1","window":0}""", "operators[MCI].connection.window: must be between 1 and 1000")]
    [InlineData("""{"type":"smpp","host":"h","port":1,"system_id":"gw","source_addr":"1","bind_mode":"rx"}""", "operators[MCI].connection.bind_mode: must be one of trx, tx_rx")]
    [InlineData("""{"type":"smpp","host":"h","port":1,"system_id":"gw","source_addr":"1","concatenation":"udh"}""", "operators[MCI].connection.concatenation: must be one of udh8, udh16, sar, payload")]
    [InlineData("""{"type":"smpp","host":"h","port":1,"system_id":"gw","source_addr":"1","registered_delivery":"yes"}""", "operators[MCI].connection.registered_delivery: must be true or false")]
    [InlineData("""{"type":"smpp","host":"h","port":1,"system_id":"gw","source_addr":"1","hots":"x"}""", "operators[MCI].connection.hots: is not a known key")]
    [InlineData("""{"type":"smpp","host":"h","port":1,"system_id":"gw","source_addr":"1","reconnect_min_ms":1000,"reconnect_max_ms":100}""", "operators[MCI].connection.reconnect_max_ms: must be at least reconnect_min_ms (1000)")]
    [InlineData("""{"type":"simulator"}""", "operators[MCI].connection.type: must be \"smpp\" for this factory")]
    public void Errors_name_the_key(string json, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SmppConnectionFactory().Validate("MCI", TestMessages.Json(json)));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alphanumeric_default_sender_over_11_characters_is_refused()
    {
        var json = TestMessages.Json("""{"type":"smpp","host":"h","port":1,"system_id":"gw","source_addr":"TooLongSenderName"}""");
        Assert.Throws<ArgumentException>(() => new SmppConnectionFactory().Validate("MCI", json));
    }

    [Fact]
    public void Defaults()
    {
        var o = SmppConnectionOptions.Parse("MCI", TestMessages.Json(Valid));
        Assert.Equal((1, BindMode.Transceiver, 10, 0, true, ConcatenationMode.Udh8), (o.Binds, o.BindMode, o.Window, o.ThroughputPerSecond, o.RegisteredDelivery, o.Concatenation));
    }

    [Theory]
    [InlineData("3000123", "3000123", 0, 1)]
    [InlineData("+989121234567", "989121234567", 1, 1)]
    [InlineData("989121234567", "989121234567", 1, 1)]
    [InlineData("Bank", "Bank", 5, 0)]
    public void Sender_ton_and_npi(string from, string address, int ton, int npi)
    {
        var o = SmppConnectionOptions.Parse("MCI", TestMessages.Json(Valid));
        Assert.Equal(new SourceAddress(address, (byte)ton, (byte)npi), SourceAddress.Choose(from, o));
    }

    [Fact]
    public void Configured_ton_npi_apply_to_the_default_sender_only()
    {
        var o = SmppConnectionOptions.Parse("MCI", TestMessages.Json("""{"type":"smpp","host":"h","port":1,"system_id":"gw","source_addr":"3000","source_addr_ton":3,"source_addr_npi":0}"""));
        Assert.Equal(new SourceAddress("3000", 3, 0), SourceAddress.Choose(null, o));
        Assert.Equal(new SourceAddress("Shop", 5, 0), SourceAddress.Choose("Shop", o));
    }

    [Fact]
    public void AddSmppOperators_registers_the_smpp_factory_once()
    {
        var services = new ServiceCollection().AddSmppOperators().AddSmppOperators().BuildServiceProvider();
        var factory = Assert.Single(services.GetServices<IOperatorConnectionFactory>());
        Assert.Equal("smpp", factory.Type);
    }
}
