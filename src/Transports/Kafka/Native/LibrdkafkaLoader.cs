using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace SmsGateway.Transports.Kafka.Native;

/// <summary>
/// Points Confluent.Kafka's P/Invokes at the system librdkafka (Debian package <c>librdkafka1</c>).
/// </summary>
/// <remarks>
/// Confluent.Kafka 1.9.3 imports <c>librdkafka</c> (and <c>alpine-</c>/<c>centos6-</c>/<c>centos7-librdkafka</c>) and
/// expects the <c>librdkafka.redist</c> package beside it, which this machine's mirror lacks. Its own
/// <c>Library.Load(path)</c> dlopens through <c>libdl</c>, which Debian 12 ships only as <c>libdl.so.2</c>, so it fails.
/// A DllImport resolver on the Confluent.Kafka assembly maps every one of those names to one handle instead. A resolver
/// can be set only once per assembly: this one is set once, and only if nobody set one before (then that one wins).
/// Search order: <see cref="KafkaTransportOptions.LibrdkafkaPath"/>, the <c>LIBRDKAFKA_PATH</c> environment variable,
/// then <c>librdkafka.so.1</c> through the loader's search path and the Debian multiarch directories.
/// Thread-safe.
/// </remarks>
internal static class LibrdkafkaLoader
{
    /// <summary>Environment variable naming the librdkafka shared object to load.</summary>
    public const string PathVariable = "LIBRDKAFKA_PATH";

    private static readonly Lock Gate = new();
    private static IntPtr _handle;
    private static bool _resolverSet;

    /// <summary>Loads librdkafka once and installs the resolver.</summary>
    /// <param name="explicitPath">A path from the options; null to use the environment variable and defaults.</param>
    /// <exception cref="DllNotFoundException">No candidate could be loaded; the message lists them and names the Debian package.</exception>
    public static void EnsureLoaded(string? explicitPath)
    {
        lock (Gate)
        {
            if (_resolverSet)
            {
                return;
            }

            var candidates = Candidates(explicitPath).ToList();
            var errors = new List<string>();
            foreach (var candidate in candidates)
            {
                try
                {
                    _handle = NativeLibrary.Load(candidate);
                    break;
                }
                catch (DllNotFoundException e)
                {
                    errors.Add($"{candidate}: {e.Message}");
                }
                catch (BadImageFormatException e)
                {
                    errors.Add($"{candidate}: {e.Message}");
                }
            }

            if (_handle == IntPtr.Zero)
            {
                throw new DllNotFoundException(
                    $"librdkafka could not be loaded (tried {string.Join("; ", errors)}). Install it with: apt-get install -y librdkafka1, " +
                    $"or set {PathVariable} to the path of librdkafka.so.1.");
            }

            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // A resolver was already set on Confluent.Kafka (by the host or another library): it wins.
            }

            _resolverSet = true;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName.EndsWith("librdkafka", StringComparison.Ordinal) ? _handle : IntPtr.Zero;

    private static IEnumerable<string> Candidates(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            yield return explicitPath;
            yield break;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            yield return fromEnvironment;
            yield break;
        }

        yield return "librdkafka.so.1";
        yield return "/usr/lib/x86_64-linux-gnu/librdkafka.so.1";
        yield return "/usr/lib/aarch64-linux-gnu/librdkafka.so.1";
        yield return "/usr/local/lib/librdkafka.so.1";
        yield return "librdkafka.dylib";
        yield return "librdkafka.dll";
    }
}
