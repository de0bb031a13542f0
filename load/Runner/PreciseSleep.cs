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
    private const int Eintr = 4; // clock_nanosleep returns the error number itself (it does not set errno)
    private const long MaxSleepNs = 1_000_000_000; // sleep at most 1 s at a time, then look at the clock again
    // The Timespec below is two 64-bit fields: glibc's layout on 64-bit Linux only.
    private static bool _useNanosleep = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

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
            // In double: (ticks × 1e9) overflows a long for waits beyond ~9 s when Frequency is 1 GHz.
            var sleepNs = (long)Math.Min(MaxSleepNs, (remaining - spinTicks) * (1e9 / Stopwatch.Frequency));
            if (_useNanosleep)
            {
                var request = new Timespec { Seconds = sleepNs / 1_000_000_000, Nanoseconds = sleepNs % 1_000_000_000 };
                var error = ClockNanosleep(ClockMonotonic, 0, ref request, IntPtr.Zero);
                if (error is not (0 or Eintr)) _useNanosleep = false; // unexpected (EINVAL, ENOTSUP): fall back rather than spin
            }
            else Thread.Sleep(Math.Max(1, (int)(sleepNs / 1_000_000)));
        }
    }
}
