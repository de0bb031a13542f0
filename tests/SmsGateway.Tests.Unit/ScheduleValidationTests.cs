using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Status;
using SmsGateway.Validation;

namespace SmsGateway.Tests.Unit;

/// <summary><c>send_at</c> and <c>validity_period</c> at accept, and the rank of the new statuses.</summary>
public sealed class ScheduleValidationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static IReadOnlyDictionary<string, string[]> Validate(string? sendAt, long? validity, out SmsMessage? m, out DateTimeOffset? at) =>
        SendValidator.Validate(new SendRequest("09121234567", "hi", "normal", "u", SendAt: sendAt, ValidityPeriod: validity),
            OperatorTable.Default, Now, new PipelineOptions(), out m, out at);

    [Theory]
    [InlineData("2026-12-01T10:00:02Z", 2)]
    [InlineData("2026-12-01T13:30:02+03:30", 2)]
    [InlineData("2026-12-01t10:00:02.250z", 2.25)]
    [InlineData("2026-12-31T10:00:00Z", 30 * 86400)]
    public void A_future_send_at_with_an_offset_schedules_the_message(string sendAt, double secondsAhead)
    {
        Assert.Empty(Validate(sendAt, null, out var m, out var at));
        Assert.NotNull(m);
        Assert.Equal(Now.AddSeconds(secondsAhead), at);
        Assert.Equal(TimeSpan.Zero, at!.Value.Offset);
    }

    [Theory]
    [InlineData("2026-12-01T09:59:30Z")] // in the past, within the tolerance: send now
    [InlineData("2026-12-01T10:00:00Z")]
    public void A_send_at_now_or_slightly_past_sends_at_once(string sendAt)
    {
        Assert.Empty(Validate(sendAt, null, out var m, out var at));
        Assert.NotNull(m);
        Assert.Null(at);
    }

    [Theory]
    [InlineData("2026-12-01T10:00:02", "RFC 3339")] // no offset
    [InlineData("2026-12-01 10:00:02Z", "RFC 3339")]
    [InlineData("1764583202", "RFC 3339")]
    [InlineData("2026-02-30T10:00:00Z", "RFC 3339")]
    [InlineData("2026-12-31T10:00:01Z", "30 days")]
    [InlineData("2026-12-01T09:58:59Z", "in the past")]
    public void A_bad_send_at_is_named(string sendAt, string message)
    {
        var errors = Validate(sendAt, null, out var m, out _);
        Assert.Null(m);
        Assert.Contains(message, Assert.Single(errors["send_at"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(59)]
    [InlineData(259201)]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_validity_period_out_of_bounds_is_named(long seconds)
    {
        var errors = Validate(null, seconds, out var m, out _);
        Assert.Null(m);
        Assert.Contains("60 to 259200", Assert.Single(errors["validity_period"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Validity_counts_from_send_at_when_scheduled_and_from_accept_otherwise()
    {
        Assert.Empty(Validate(null, 60, out var now, out _));
        Assert.Equal(Now.AddSeconds(60), now!.ValidUntil);
        Assert.Empty(Validate("2026-12-02T10:00:00Z", 3600, out var later, out _));
        Assert.Equal(Now.AddDays(1).AddHours(1), later!.ValidUntil);
        Assert.Empty(Validate(null, null, out var none, out _));
        Assert.Null(none!.ValidUntil);
    }

    /// <summary>
    /// A bulk request is published at once, so an item with a future <c>send_at</c> is refused on that field (never sent
    /// early), is charged nothing, and leaves the other items queued (SmsPipeline.SendBatchAsync).
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task A_bulk_item_with_a_send_at_is_refused_on_that_field_and_the_other_items_are_queued()
    {
        var ledger = new InMemoryBalanceLedger();
        await using var pipeline = new SmsPipelineBuilder().WithLedger(ledger).Build();
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None);
        await ledger.ChargeAsync("u1", 1_000_000, "c1", CancellationToken.None);
        var later = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var results = await pipeline.SendBatchAsync(
            [new SendRequest("09121234567", "now", "normal", "u1"), new SendRequest("09121234568", "later", "normal", "u1", SendAt: later)],
            Guid.NewGuid(), CancellationToken.None);

        Assert.Equal(AcceptStatus.Queued, results[0].Status);
        Assert.Equal(AcceptStatus.Invalid, results[1].Status);
        Assert.Contains("not supported in POST /send/batch", Assert.Single(results[1].Errors!["send_at"]), StringComparison.Ordinal);
        var balance = await ledger.GetBalanceAsync("u1", CancellationToken.None);
        Assert.Equal((1_000_000 - results[0].Message!.Cost, results[0].Message!.Cost), (balance.Available, balance.Reserved));
    }

    [Fact]
    public void Queued_outranks_scheduled_and_the_new_final_statuses_outrank_queued()
    {
        static StatusEvent E(MessageStatus s, int attempt) => new(Guid.Empty, "u", s, attempt, Now, "+989121234567", "MCI", MessageType.Normal, SmsEncoding.Gsm7, 1, 1, Now);
        Assert.True(StatusPrecedence.Supersedes(E(MessageStatus.Queued, 0), MessageStatus.Scheduled, 0));
        Assert.False(StatusPrecedence.Supersedes(E(MessageStatus.Scheduled, 0), MessageStatus.Queued, 0));
        Assert.True(StatusPrecedence.Supersedes(E(MessageStatus.Scheduled, 0), MessageStatus.Accepted, 0));
        Assert.True(StatusPrecedence.Supersedes(E(MessageStatus.Canceled, 0), MessageStatus.Queued, 0));
        Assert.True(StatusPrecedence.Supersedes(E(MessageStatus.Canceled, 0), MessageStatus.Scheduled, 0));
        Assert.True(StatusPrecedence.Supersedes(E(MessageStatus.Expired, 2), MessageStatus.Retrying, 1));
        Assert.True(StatusPrecedence.Supersedes(E(MessageStatus.Expired, 1), MessageStatus.Sending, 1));
        Assert.False(StatusPrecedence.Supersedes(E(MessageStatus.Sent, 1), MessageStatus.Expired, 1));
        Assert.True(MessageStatus.Expired.IsFinal() && MessageStatus.Canceled.IsFinal() && !MessageStatus.Scheduled.IsFinal());
        foreach (var s in new[] { MessageStatus.Scheduled, MessageStatus.Expired, MessageStatus.Canceled })
        {
            Assert.True(MessageStatusExtensions.TryParseWireName(s.ToWireName(), out var parsed) && parsed == s);
        }
    }
}
