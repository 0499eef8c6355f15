using ZkTypedState.Bench;
using ZkTypedState.Bench.Infra;
using ZkTypedState.Bench.Scenarios;

// The scenario runner of bench-contract.md: exactly one JSON line on stdout, everything else on stderr.
// Exit codes: 0 success, 1 failure (including a scenario timeout), 2 usage error.
if (args is ["serve-harness"])
{
    return await ServeHarness.RunAsync();
}

if (args is [] or ["-h"] or ["--help"] or ["help"])
{
    Console.Error.WriteLine(BenchArgs.Usage);
    return args is [] ? 2 : 0;
}

BenchArgs parsed;
try
{
    parsed = BenchArgs.Parse(args);
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(BenchArgs.Usage);
    return 2;
}

TimeSpan deadline = parsed.Scenario switch
{
    "propagation" => TimeSpan.FromSeconds(60 + (parsed.N * 0.05)),
    "load" => TimeSpan.FromSeconds(90 + (parsed.N * 0.02)),
    _ => TimeSpan.FromSeconds(150 + (parsed.N * 0.02)),
};

// A last resort if something does not honour cancellation: the runner never hangs.
using var watchdog = new Timer(
    _ =>
    {
        Console.Error.WriteLine($"error: {parsed.Scenario} did not finish within {deadline.TotalSeconds + 30:0} s; aborting.");
        Environment.Exit(1);
    },
    null,
    deadline + TimeSpan.FromSeconds(30),
    Timeout.InfiniteTimeSpan);

using var cancellation = new CancellationTokenSource(deadline);
ControlClient? control = null;
Writer? writer = null;
try
{
    Log.Info($"{parsed.Scenario}: N={parsed.N}, connect {parsed.Connect}, proxied {parsed.Proxied}, control {parsed.Control}, deadline {deadline.TotalSeconds:0} s");
    control = await ControlClient.ConnectAsync(parsed.Control, cancellation.Token);
    writer = await Writer.ConnectAsync(parsed.Connect, cancellation.Token);
    var ctx = new ScenarioContext(parsed, control, writer, cancellation.Token);
    var result = new Result(parsed.Scenario, parsed.N);
    Func<ScenarioContext, Result, Task> scenario = parsed.Scenario switch
    {
        "propagation" => Propagation.RunAsync,
        "load" => Load.RunAsync,
        "reconnect" => Reconnect.RunAsync,
        "expiry" => Expiry.RunAsync,
        _ => throw new UsageException($"unknown scenario '{parsed.Scenario}'."),
    };
    await scenario(ctx, result);
    string line = result.ToLine();
    await RestoreProxyAsync(control);
    Console.Out.WriteLine(line);
    Console.Out.Flush();
    if (result.Error is not null)
    {
        Console.Error.WriteLine($"error: {parsed.Scenario} failed: {result.Error}");
        return 1;
    }

    return 0;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine($"error: {parsed.Scenario} timed out after {deadline.TotalSeconds:0} s.");
    return 1;
}
catch (BenchFailure ex)
{
    Console.Error.WriteLine($"error: {parsed.Scenario} failed: {ex.Message}");
    return 1;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: {parsed.Scenario} failed: {ex}");
    return 1;
}
finally
{
    if (control is not null)
    {
        await RestoreProxyAsync(control);
        await control.DisposeAsync();
    }

    if (writer is not null)
    {
        await writer.DisposeAsync();
    }
}

// A failed scenario must not leave the harness's proxy cut or blackholed for the next peer.
static async Task RestoreProxyAsync(ControlClient control)
{
    if (!control.FaultActive)
    {
        return;
    }

    try
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await control.RestoreAsync(timeout.Token);
        Log.Info("proxy restored");
    }
    catch (Exception ex)
    {
        Console.Error.WriteLine($"warning: could not restore the proxy: {ex.Message}");
    }
}
