namespace SmsGateway.Host.Configuration;

/// <summary>The <c>operator.json</c> the host loaded and watches (full path), as resolved from <c>Gateway:OperatorTable</c>.</summary>
/// <param name="Path">Full path of the file.</param>
public sealed record OperatorTableFile(string Path);
