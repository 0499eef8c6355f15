using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ZkTypedState.Bench.Infra;

/// <summary>
/// The client under test: a generic host with the typed-state runtime (<c>AddZkTypedState</c>) and the scenario's
/// bound node(s), connected through the fault proxy (--proxied) only.
/// </summary>
public sealed class ClientUnderTest : IAsyncDisposable
{
    private readonly IHost _host;

    private ClientUnderTest(IHost host)
    {
        _host = host;
        Runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        Session = host.Services.GetRequiredService<ZooKeeperSession>();
    }

    public IServiceProvider Services => _host.Services;

    public ZNodeRuntime Runtime { get; }

    public ZooKeeperSession Session { get; }

    /// <summary>
    /// Builds and starts the host, which connects and waits until every single (non-template) bound node is loaded.
    /// <paramref name="bind"/> binds only what the scenario watches, so no other read shows in the proxy's counters.
    /// </summary>
    public static async Task<ClientUnderTest> StartAsync(Endpoint proxied, TimeSpan sessionTimeout, Action<ZkTypedStateBuilder> bind, CancellationToken ct)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(Enum.TryParse(Environment.GetEnvironmentVariable("ZKBENCH_LOG"), ignoreCase: true, out LogLevel level) ? level : LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        bind(builder.Services.AddZkTypedState(o =>
        {
            o.ConnectionString = proxied.ToString();
            o.SessionTimeout = sessionTimeout;
            o.InitialSyncTimeout = TimeSpan.FromSeconds(60);
        }));
        IHost host = builder.Build();
        try
        {
            await host.StartAsync(ct);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new ClientUnderTest(host);
    }

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            Log.Info($"stopping the client under test: {ex.GetType().Name}: {ex.Message}");
        }

        _host.Dispose();
    }
}
