using SmsGateway.Host.Configuration;

// The SMS gateway service. Embedded profile by default: `dotnet run --project src/Host` needs no server.
// Configuration: appsettings.json, environment variables (Gateway__Profile=full, ...), command line (--Gateway:Roles=dispatcher).
var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();

var app = builder.Build();
app.MapGateway();
app.Run();

/// <summary>Entry point (public for <c>WebApplicationFactory</c> in the end-to-end tests).</summary>
public partial class Program;
