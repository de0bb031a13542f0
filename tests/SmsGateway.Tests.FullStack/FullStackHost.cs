using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SmsGateway.Tests.FullStack;

/// <summary>The host (src/Host) in memory (TestServer), configured by <see cref="HostSettings"/> through <c>UseSetting</c>.</summary>
public sealed class FullStackHost(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
{
    /// <summary>The bootstrap admin key every test host is configured with (<c>Auth:AdminKeys:0</c>).</summary>
    public const string AdminKey = "full-stack-test-admin-key-0123456789";

    /// <summary>Clients of <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> authenticate as admin.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
    }

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
