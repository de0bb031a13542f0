using System.Buffers;
using System.Text.Json;

namespace SmsGateway.Serialization;

/// <summary>
/// A per-thread buffer and <see cref="Utf8JsonWriter"/> (made with <see cref="PipelineJson.WireWriterOptions"/>) for wire
/// payloads that are copied somewhere else right after they are written: a message frame into its one array, a status
/// event into its frame (bench/README.md "Frames written in one pass").
/// </summary>
/// <remarks>
/// Usage: <see cref="Start"/>, write, then read <see cref="Finish"/>'s span before anything else on the same thread calls
/// <see cref="Start"/> again (no await and no other wire write in between). Thread-safe in that sense: each thread has its own.
/// </remarks>
internal static class WireScratch
{
    // Kept per thread at most: a frame of the default MessageFrameSize (100) of 6-segment UCS-2 messages fits; a thread
    // that wrote more drops its buffer afterwards.
    private const int MaxKeptBytes = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>An empty writer over this thread's buffer.</summary>
    public static Utf8JsonWriter Start()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer;
        if (writer is null)
        {
            t_writer = writer = new Utf8JsonWriter(buffer, PipelineJson.WireWriterOptions);
        }
        else
        {
            writer.Reset(buffer);
        }

        return writer;
    }

    /// <summary>Flushes the writer and gives what it wrote since <see cref="Start"/>; valid until this thread's next <see cref="Start"/>.</summary>
    public static ReadOnlySpan<byte> Finish()
    {
        t_writer!.Flush();
        var buffer = t_buffer!;
        if (buffer.Capacity > MaxKeptBytes)
        {
            t_buffer = null; // the span below stays valid: the array is only unreferenced here
            t_writer = null;
        }

        return buffer.WrittenSpan;
    }
}
