using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>The host on the embedded profile, in memory (TestServer). Other settings: <c>WithWebHostBuilder(b => b.UseSetting(...))</c>.</summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Gateway:Profile", "embedded");
        builder.UseSetting("Pipeline:StatusBatchMaxAge", "00:00:00.010");
    }
}
