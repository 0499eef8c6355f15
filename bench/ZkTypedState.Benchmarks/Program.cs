using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/ZkTypedState.Benchmarks -- --filter '*'   (the whole suite, a few minutes)
// dotnet run -c Release --project bench/ZkTypedState.Benchmarks -- --list flat    (what there is)
// Reports go to bin/Release/net10.0/BenchmarkDotNet.Artifacts/results (not the current directory).
IConfig config = DefaultConfig.Instance
    .AddJob(Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(5)
        .WithId("Short"))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"))
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(ZkTypedState.Benchmarks.ConfigPayload).Assembly).Run(args, config);
