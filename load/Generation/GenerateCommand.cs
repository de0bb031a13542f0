using System.CommandLine;

namespace SmsGateway.Load.Generation;

/// <summary>The <c>generate</c> command: writes a reproducible request file.</summary>
public static class GenerateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var output = new Option<FileInfo>("--output", "-o") { Description = "JSONL file to write", DefaultValueFactory = _ => new FileInfo("requests.jsonl") };
        var lines = new Option<int>("--lines", "-n") { Description = "Number of lines (charges + sends)", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same file)", DefaultValueFactory = _ => 42 };
        var users = new Option<int>("--users") { Description = "Number of users (0 = one per 200 lines, at least 5)" };
        var invalid = new Option<double>("--invalid-share") { Description = "Share of invalid send lines", DefaultValueFactory = _ => 0.15 };
        var poor = new Option<double>("--poor-share") { Description = "Share of users charged too little", DefaultValueFactory = _ => 0.3 };
        var keyed = new Option<double>("--keyed-share") { Description = "Share of valid sends with an Idempotency-Key", DefaultValueFactory = _ => 0.1 };
        var cmd = new Command("generate", "Write a reproducible JSONL request file (charges, then valid and invalid sends with their expectations)")
        {
            output, lines, seed, users, invalid, poor, keyed,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var options = new GeneratorOptions
            {
                Lines = parse.GetValue(lines), Seed = parse.GetValue(seed), Users = parse.GetValue(users),
                InvalidShare = parse.GetValue(invalid), PoorShare = parse.GetValue(poor), KeyedShare = parse.GetValue(keyed),
            };
            var result = RequestGenerator.Generate(options);
            var file = parse.GetValue(output)!;
            await RequestFile.WriteAsync(file.FullName, result, ct).ConfigureAwait(false);
            var sends = result.Where(l => l.Kind == "send").ToList();
            Console.WriteLine($"wrote {result.Count} lines to {file.FullName}: {result.Count - sends.Count} charges, {sends.Count} sends " +
                              $"({sends.Count(s => s.IsInvalid)} invalid, {sends.Count(s => s.DuplicateOf is not null)} repeated keys, " +
                              $"{sends.Count(s => s.ExpectEncoding == "UCS-2")} UCS-2, {sends.Count(s => s.Type == "express")} express)");
            return 0;
        });
        return cmd;
    }
}
