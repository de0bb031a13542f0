using SmsGateway.Routing;

namespace SmsGateway.Tests.Unit;

public sealed class OperatorTableTests
{
    private const string TwoLevels = """
        {"operators":[
          {"name":"A","prefixes":["0912"],"price_per_segment":100,"max_concurrency":1,"send_timeout_ms":1000},
          {"name":"B","prefixes":["+989121"],"price_per_segment":200,"max_concurrency":1,"send_timeout_ms":1000}],
         "overrides":{"09125555555":"B","+989121000000":"A"}}
        """;

    [Theory]
    [InlineData("+989121234567", "MCI")]
    [InlineData("+989901234567", "MCI")]
    [InlineData("+989351234567", "MTN")]
    [InlineData("+989011234567", "MTN")]
    [InlineData("+989211234567", "Rightel")]
    [InlineData("+989311234567", null)]
    [InlineData("+989981234567", null)]
    public void Default_table_routes_the_real_prefixes(string msisdn, string? expected) =>
        Assert.Equal(expected, OperatorTable.Default.Route(msisdn)?.Name);

    [Fact]
    public void Longest_prefix_wins_and_overrides_win_over_prefixes()
    {
        var table = OperatorTable.Parse(TwoLevels);
        Assert.Equal("A", table.Route("+989122222222")!.Name);
        Assert.Equal("B", table.Route("+989121222222")!.Name);
        Assert.Equal("B", table.Route("+989125555555")!.Name);
        Assert.Equal("A", table.Route("+989121000000")!.Name);
        Assert.Null(table.Route("+989131234567"));
    }

    [Theory]
    [InlineData("{}", "at least one operator")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"operators":[{"name":"A","prefixes":["0912"],"max_concurrency":1,"send_timeout_ms":1}]}""", "price_per_segment")]
    [InlineData("""{"operators":[{"name":"A","prefixes":["0912"],"price_per_segment":1,"max_concurrency":1,"send_timeout_ms":1},{"name":"B","prefixes":["+98912"],"price_per_segment":1,"max_concurrency":1,"send_timeout_ms":1}]}""", "already routed")]
    [InlineData("""{"operators":[{"name":"A","prefixes":["0212"],"price_per_segment":1,"max_concurrency":1,"send_timeout_ms":1}]}""", "not a prefix")]
    [InlineData("""{"operators":[{"name":"A","prefixes":["0912"],"price_per_segment":1,"max_concurrency":1,"send_timeout_ms":1}],"overrides":{"09121111111":"Z"}}""", "unknown operator")]
    [InlineData("""{"operators":[{"name":"A","prefixes":["0912"],"price_per_segment":1,"max_concurrency":1,"send_timeout_ms":1,"typo":1}]}""", "typo")]
    public void Invalid_tables_are_refused_with_the_field(string json, string message)
    {
        var ex = Assert.Throws<OperatorTableException>(() => OperatorTable.Parse(json));
        Assert.Contains(message, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = 20_000)]
    public async Task File_changes_reload_and_an_invalid_file_keeps_the_old_table()
    {
        var dir = Directory.CreateTempSubdirectory("optable");
        var path = Path.Combine(dir.FullName, "operator.json");
        await File.WriteAllTextAsync(path, TwoLevels);
        using var source = new OperatorTableSource(path);
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Reloaded += _ => reloaded.TrySetResult();
        Assert.Equal("A", source.Current.Route("+989122222222")!.Name);

        await File.WriteAllTextAsync(path, TwoLevels.Replace("\"0912\"", "\"0913\"", StringComparison.Ordinal));
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(source.Current.Route("+989122222222"));
        Assert.Equal("A", source.Current.Route("+989132222222")!.Name);

        await File.WriteAllTextAsync(path, "{ broken");
        Assert.False(source.Reload());
        Assert.Equal("A", source.Current.Route("+989132222222")!.Name);
        dir.Delete(true);
    }
}
