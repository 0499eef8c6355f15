using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project bench/ZkTypedState.Benchmarks -- --filter '*'   (the whole suite, a few minutes)
// dotnet run -c Release --project bench/ZkTypedState.Benchmarks -- --list flat    (what there is)
// Add --in-process to run the Short job in this process (no generated project to build: lighter on a shared machine).
// Reports go to bin/Release/net10.0/BenchmarkDotNet.Artifacts/results (not the current directory).
bool inProcess = args.Contains("--in-process");
Job job = Job.Default
    .WithLaunchCount(1)
    .WithWarmupCount(3)
    .WithIterationCount(5)
    .WithId("Short");
if (inProcess)
{
    job = job.WithToolchain(InProcessEmitToolchain.Instance);
}

IConfig config = DefaultConfig.Instance
    .AddJob(job)
    .AddDiagnoser(MemoryDiagnoser.Default)

    // Min and median beside the mean: on a shared machine the mean of a latency benchmark follows the machine's load.
    .AddColumn(StatisticColumn.Min, StatisticColumn.Median)
    .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"))
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(ZkTypedState.Benchmarks.ConfigPayload).Assembly).Run([.. args.Where(a => a != "--in-process")], config);
