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
    private readonly ConnectedProbe _connected;

    private ClientUnderTest(IHost host, ConnectedProbe connected)
    {
        _host = host;
        _connected = connected;
    }

    public IServiceProvider Services => _host.Services;

    public ZNodeRuntime Runtime { get; private set; } = null!;

    public ZooKeeperSession Session { get; private set; } = null!;

    /// <summary>
    /// Builds and starts the host, which connects and waits until every single (non-template) bound node is loaded.
    /// <paramref name="bind"/> binds only what the scenario watches, so no other read shows in the proxy's counters.
    /// </summary>
    public static async Task<ClientUnderTest> StartAsync(Endpoint proxied, TimeSpan sessionTimeout, Action<ZkTypedStateBuilder> bind, CancellationToken ct)
    {
        ClientUnderTest client = Build(proxied, sessionTimeout, bind);
        try
        {
            await client.StartAsync(ct);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary>
    /// Builds the host without starting it: the DI container, logging and options exist (as they do in an application
    /// before its hosted services start), but no ZooKeeper object is constructed yet — the session owner and the
    /// runtime are created, and the session opened, by <see cref="StartAsync(CancellationToken)"/>.
    /// </summary>
    public static ClientUnderTest Build(Endpoint proxied, TimeSpan sessionTimeout, Action<ZkTypedStateBuilder> bind)
    {
        HostApplicationBuilder builder = NewBuilder();

        // Started before the runtime's hosted service (registration order): records when the session is first
        // established, without constructing anything before the timed span starts.
        var connected = new ConnectedProbe();
        builder.Services.AddSingleton<IHostedService>(sp => connected.Attach(sp.GetRequiredService<ZooKeeperSession>(), sp));
        bind(builder.Services.AddZkTypedState(o =>
        {
            o.ConnectionString = proxied.ToString();
            o.SessionTimeout = sessionTimeout;
            o.InitialSyncTimeout = TimeSpan.FromSeconds(60);

            // For experiments only (bench/README.md): ZKBENCH_MAX_READS overrides MaxConcurrentReads; the measured
            // figures use the option's default.
            if (int.TryParse(Environment.GetEnvironmentVariable("ZKBENCH_MAX_READS"), out int maxReads))
            {
                o.MaxConcurrentReads = maxReads;
            }
        }));
        return new ClientUnderTest(builder.Build(), connected);
    }

    /// <summary>
    /// Builds, starts and stops a host with the same logging and a hosted service with validated options, but nothing
    /// of ZkTypedState: the generic host's own first-start cost (JIT of Microsoft.Extensions hosting, DI, options,
    /// logging, which come as IL-only packages) is then paid before the timed span, as an application pays it once for
    /// all its services. Everything of the ZooKeeper client and the runtime is still compiled and run inside it.
    /// </summary>
    public static async Task WarmUpHostingAsync(CancellationToken ct)
    {
        HostApplicationBuilder builder = NewBuilder();
        builder.Services.AddOptions<WarmUpOptions>().Configure(o => o.Value = 1).Validate(o => o.Value > 0, "warm-up").ValidateOnStart();
        builder.Services.AddSingleton<IHostedService, WarmUpService>();
        using IHost host = builder.Build();
        await host.StartAsync(ct);
        await host.StopAsync(ct);
    }

    private static HostApplicationBuilder NewBuilder()
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
        return builder;
    }

    /// <summary>Starts the host: the session owner and runtime are constructed, the session opened and the bound nodes loaded.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _host.StartAsync(ct);
        Runtime = _host.Services.GetRequiredService<ZNodeRuntime>();
        Session = _host.Services.GetRequiredService<ZooKeeperSession>();
    }

    /// <summary>The runtime once the host has constructed it (during start), else null.</summary>
    public ZNodeRuntime? TryGetRuntime() => _connected.Runtime;

    /// <summary>When the session was first established (a <see cref="Clock"/> timestamp), or 0.</summary>
    public long ConnectedAt => _connected.At;

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

    /// <summary>Takes the time of the session's first Established event.</summary>
    private sealed class ConnectedProbe : IHostedService
    {
        private long _at;

        public long At => Volatile.Read(ref _at);

        public ZNodeRuntime? Runtime { get; private set; }

        public IHostedService Attach(ZooKeeperSession session, IServiceProvider services)
        {
            session.Changed += e =>
            {
                if (e.Kind == SessionEventKind.Established)
                {
                    Interlocked.CompareExchange(ref _at, Clock.Now, 0);
                    Runtime ??= services.GetRequiredService<ZNodeRuntime>();
                }
            };
            return this;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class WarmUpOptions
    {
        public int Value { get; set; }
    }

    private sealed class WarmUpService(Microsoft.Extensions.Options.IOptions<WarmUpOptions> options, ILogger<WarmUpService> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogDebug("warm-up host started ({Value})", options.Value.Value);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
