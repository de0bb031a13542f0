using BenchmarkDotNet.Running;

// Runs any benchmark of this assembly: `dotnet run -c Release --project bench -- --filter '*'`
// (add `--exporters github` for Markdown; results land in BenchmarkDotNet.Artifacts/results).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
