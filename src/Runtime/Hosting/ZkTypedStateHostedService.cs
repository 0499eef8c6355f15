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
        foreach (ZNodeBinding binding in services.GetServices<ZNodeBinding>())
        {
            binding.Resolve(services);
        }

        TimeSpan timeout = options.Value.InitialSyncTimeout;
        try
        {
            await runtime.WaitForAllLoadedAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("ZkTypedState: {Count} node(s) loaded.", runtime.NodeStatuses.Count);
        }
        catch (TimeoutException)
        {
            string pending = string.Join(", ", runtime.NodeStatuses.Where(kv => kv.Value is ZNodeStatus.Loading or ZNodeStatus.Invalidated).Select(kv => kv.Key));
            string message = $"ZkTypedState: not every node was loaded within {timeout} (pending: {pending}; session state {session.State}).";
            if (options.Value.InitialSyncFailure == InitialSyncFailureBehavior.FailStartup)
            {
                throw new TimeoutException(message + " Set InitialSyncFailure = Continue to start anyway.");
            }

            _logger.LogWarning("{Message} Continuing; the nodes load once ZooKeeper is reachable.", message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await services.GetRequiredService<ZNodeRuntime>().DisposeAsync().ConfigureAwait(false);
        await services.GetRequiredService<ZooKeeperSession>().DisposeAsync().ConfigureAwait(false);
    }
}
