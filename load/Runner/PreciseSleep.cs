using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SmsGateway.Load.Runner;

/// <summary>
/// Waits until a <see cref="Stopwatch"/> timestamp with sub-millisecond accuracy without burning a core: sleeps with
/// <c>clock_nanosleep</c> (Linux, CLOCK_MONOTONIC) until <see cref="SpinWindowMicros"/> before the deadline, then yield-spins the rest.
/// <see cref="Thread.Sleep(int)"/> only sleeps whole milliseconds (≈1.06 ms on Linux), so a 1,000 req/s schedule built on it either
/// runs up to a millisecond late or spins between every arrival, taking one of the two cores from the gateway under test.
/// Elsewhere than Linux it falls back to <see cref="Thread.Sleep(int)"/> plus the spin. Call from one dedicated thread.
/// </summary>
public static class PreciseSleep
{
    /// <summary>The last stretch before a deadline that is spun, not slept (µs): covers the kernel's wake-up latency (timer slack 50 µs by default).</summary>
    public const int SpinWindowMicros = 120;

    private const int ClockMonotonic = 1;
    private static readonly bool UseNanosleep = OperatingSystem.IsLinux();

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Seconds; public long Nanoseconds; }

    // DllImport, not LibraryImport: the struct is blittable, and LibraryImport would need unsafe code enabled for the project.
    [DllImport("libc", EntryPoint = "clock_nanosleep")]
    private static extern int ClockNanosleep(int clock, int flags, ref Timespec request, IntPtr remain);

    /// <summary>Returns when <see cref="Stopwatch.GetTimestamp"/> reaches <paramref name="timestamp"/> (at once if it has); typically 5–60 µs late.
    /// <paramref name="spinMicros"/> widens the spun stretch (more CPU, fewer late wake-ups on a loaded machine).</summary>
    public static void Until(long timestamp, int spinMicros = SpinWindowMicros)
    {
        var spinTicks = Math.Max(spinMicros, SpinWindowMicros) * Stopwatch.Frequency / 1_000_000;
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0) return;
            if (remaining <= spinTicks) { Thread.Yield(); continue; }
            var sleepNs = (remaining - spinTicks) * 1_000_000_000 / Stopwatch.Frequency;
            if (UseNanosleep)
            {
                var request = new Timespec { Seconds = sleepNs / 1_000_000_000, Nanoseconds = sleepNs % 1_000_000_000 };
                ClockNanosleep(ClockMonotonic, 0, ref request, IntPtr.Zero);
            }
            else Thread.Sleep(Math.Max(1, (int)(sleepNs / 1_000_000)));
        }
    }
}
