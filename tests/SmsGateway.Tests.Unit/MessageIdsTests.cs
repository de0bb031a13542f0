using System.Collections.Concurrent;
using SmsGateway.Model;

namespace SmsGateway.Tests.Unit;

/// <summary>UUIDv7 ids drawn from a per-thread buffer (docs/architecture.md, "Message ids"): the layout of RFC 9562 section 5.7.</summary>
public sealed class MessageIdsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 14, 30, 15, 123, TimeSpan.Zero);

    [Fact]
    public void An_id_has_version_7_the_RFC_variant_and_the_timestamp_in_its_first_48_bits()
    {
        var id = MessageIds.New(At);
        Span<byte> bytes = stackalloc byte[16];
        Assert.True(id.TryWriteBytes(bytes, bigEndian: true, out _));

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, bytes[8] >> 6);
        long unixMs = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
        Assert.Equal(At.ToUnixTimeMilliseconds(), unixMs);
    }

    [Fact]
    public void The_layout_matches_the_runtime_s_own_version_7_ids()
    {
        var ours = MessageIds.New(At).ToString("N");
        var runtime = Guid.CreateVersion7(At).ToString("N");

        // the timestamp and the version nibble are the same; the random parts differ
        Assert.Equal(runtime[..13], ours[..13]);
        Assert.NotEqual(runtime[13..], ours[13..]);
    }

    [Fact]
    public void Ids_from_many_threads_are_distinct_across_buffer_refills()
    {
        // 8 threads × 5,000 ids: each thread refills its 256-id buffer about 20 times
        var seen = new ConcurrentDictionary<Guid, byte>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (int i = 0; i < 5_000; i++)
            {
                Assert.True(seen.TryAdd(MessageIds.New(At), 0));
            }
        });

        Assert.Equal(40_000, seen.Count);
    }

    [Fact]
    public void Ids_of_later_milliseconds_sort_after_earlier_ones()
    {
        var ids = Enumerable.Range(0, 300).Select(i => MessageIds.New(At.AddMilliseconds(i))).ToList();

        Assert.Equal(ids, ids.OrderBy(id => id.ToString("N"), StringComparer.Ordinal));
    }

    [Fact]
    public void A_time_before_the_Unix_epoch_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageIds.New(DateTimeOffset.UnixEpoch.AddMilliseconds(-1)));
}
