using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SmsGateway.Tests.FullStack;

/// <summary>The host (src/Host) in memory (TestServer), configured by <see cref="HostSettings"/> through <c>UseSetting</c>.</summary>
public sealed class FullStackHost(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Stops the host, giving up after <paramref name="timeout"/> (a host whose broker is gone may be slow to close).</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        var dispose = DisposeAsync().AsTask();
        await Task.WhenAny(dispose, Task.Delay(timeout));
    }
}
