using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ZkTypedState;

/// <summary>
/// Connects at host startup, binds every registered node and waits (up to
/// <see cref="ZkTypedStateOptions.InitialSyncTimeout"/>) until each is loaded; at stop, closes the session and stops
/// every background task.
/// </summary>
internal sealed class ZkTypedStateHostedService(IServiceProvider services, IOptions<ZkTypedStateOptions> options, ILogger<ZkTypedStateHostedService>? logger = null) : IHostedService
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ZooKeeperSession session = services.GetRequiredService<ZooKeeperSession>();
        ZNodeRuntime runtime = services.GetRequiredService<ZNodeRuntime>();
        session.Start();
        ZNodeBinding[] bindings = [.. services.GetServices<ZNodeBinding>()];
        foreach (ZNodeBinding binding in bindings)
        {
            binding.Resolve(services);
        }

        TimeSpan timeout = options.Value.InitialSyncTimeout;
        bool failStartup = options.Value.InitialSyncFailure == InitialSyncFailureBehavior.FailStartup;
        try
        {
            await runtime.WaitForAllLoadedAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            string pending = string.Join(", ", runtime.NodeStatuses.Where(kv => kv.Value is ZNodeStatus.Loading or ZNodeStatus.Invalidated).Select(kv => kv.Key));
            string message = $"ZkTypedState: not every node was loaded within {timeout} (pending: {pending}; session state {session.State}).";
            if (failStartup)
            {
                // The last connection error says why (refused, unreachable, TLS, auth), not just that time ran out. After an
                // authentication failure the client was replaced: the failure itself is the cause.
                Exception? cause = (session.IsAuthFailed ? session.LastAuthFailure : null) ?? session.Client?.LastConnectionError ?? session.LastAuthFailure;
                throw new TimeoutException(
                    message + (cause is null ? string.Empty : $" Last connection error: {cause.Message}") + " Set InitialSyncFailure = Continue to start anyway.",
                    cause);
            }

            _logger.LogWarning("{Message} Continuing; the nodes load once ZooKeeper is reachable.", message);
            return;
        }

        CheckLoaded(runtime, bindings, failStartup);
    }

    /// <summary>Logs the breakdown of the loaded nodes; fails startup (FailStartup) for faulted nodes and missing required ones.</summary>
    private void CheckLoaded(ZNodeRuntime runtime, ZNodeBinding[] bindings, bool failStartup)
    {
        IReadOnlyDictionary<string, ZNodeStatus> statuses = runtime.NodeStatuses;
        int fresh = statuses.Values.Count(s => s == ZNodeStatus.Fresh);
        string[] missing = [.. statuses.Where(kv => kv.Value == ZNodeStatus.Missing).Select(kv => kv.Key).Order(StringComparer.Ordinal)];
        string[] faulted = [.. statuses.Where(kv => kv.Value == ZNodeStatus.Faulted).Select(kv => kv.Key).Order(StringComparer.Ordinal)];
        string[] missingRequired = [.. bindings.Where(b => b.Required)
            .SelectMany(b => b.Resolve(services))
            .Where(kv => kv.Value == ZNodeStatus.Missing)
            .Select(kv => kv.Key)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
        int other = statuses.Count - fresh - missing.Length - faulted.Length;
        _logger.LogInformation(
            "ZkTypedState: {Count} node(s) loaded: {Fresh} fresh, {Missing} missing, {Faulted} faulted{Other}.",
            statuses.Count, fresh, missing.Length, faulted.Length, other > 0 ? $", {other} not current (disconnected meanwhile)" : string.Empty);
        if (faulted.Length == 0 && missingRequired.Length == 0)
        {
            return;
        }

        IReadOnlyDictionary<string, Exception> faults = runtime.NodeFaults;
        string problems = string.Join("; ", new[]
        {
            faulted.Length > 0 ? $"faulted: {string.Join(", ", faulted.Select(path => path + DescribeFault(faults.GetValueOrDefault(path))))}" : null,
            missingRequired.Length > 0 ? $"required but missing: {string.Join(", ", missingRequired)}" : null,
        }.Where(p => p is not null));
        if (failStartup)
        {
            throw new ZkTypedStateStartupException(
                $"ZkTypedState: startup failed, {problems}. Fix the nodes, or set InitialSyncFailure = Continue to start anyway (faulted nodes serve their last good value, missing ones the type's defaults).",
                faulted,
                missingRequired)
            {
                FaultErrors = faulted.Where(faults.ContainsKey).ToDictionary(path => path, path => faults[path], StringComparer.Ordinal),
            };
        }

        _logger.LogWarning("ZkTypedState: starting anyway (InitialSyncFailure = Continue) with {Problems}.", problems);
    }

    /// <summary>" (rejected payload: …)" or " (read failed: …)": the two faults need different fixes (the data, or access to it).</summary>
    private static string DescribeFault(Exception? fault) => fault switch
    {
        null => string.Empty,
        ZNodePayloadException payload => $" (rejected payload: {payload.Message})",
        _ => $" (read failed: {fault.GetType().Name}: {fault.Message})",
    };

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await services.GetRequiredService<ZNodeRuntime>().DisposeAsync().ConfigureAwait(false);
        await services.GetRequiredService<ZooKeeperSession>().DisposeAsync().ConfigureAwait(false);
    }
}
