using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Testing;

namespace ZkTypedState.Benchmarks;

/// <summary>
/// The application's read path: a loaded, watched node (the hosted runtime against a local server), read through
/// <see cref="IZNode{T}.Value"/>, <see cref="IZNode{T}.Current"/> and <see cref="IOptionsMonitor{TOptions}.CurrentValue"/>.
/// </summary>
public class NodeReadBenchmarks
{
    private ZooKeeperTestServer _server = null!;
    private IHost _host = null!;
    private IZNode<ConfigPayload> _node = null!;
    private IOptionsMonitor<ConfigPayload> _monitor = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalServer.StartAsync();
        await using (ZooKeeperClient writer = await ZooKeeperClient.ConnectAsync(_server.ConnectionString))
        {
            await writer.CreateAsync("/bm");
            await writer.CreateAsync(Descriptors.Config.PathTemplate, ConfigPayload.Json);
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddZkTypedState(o => o.ConnectionString = _server.ConnectionString).AddZNode(Descriptors.Config);
        _host = builder.Build();
        await _host.StartAsync();
        _node = _host.Services.GetRequiredService<IZNode<ConfigPayload>>();
        _monitor = _host.Services.GetRequiredService<IOptionsMonitor<ConfigPayload>>();
        if (_node.Status != ZNodeStatus.Fresh || _monitor.CurrentValue.Version != 42)
        {
            throw new InvalidOperationException($"the node did not load: {_node.Status}");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Description = "IZNode<T>.Value")]
    public ConfigPayload NodeValue() => _node.Value;

    [Benchmark(Description = "IZNode<T>.Current (snapshot)")]
    public ZNodeSnapshot<ConfigPayload> NodeCurrent() => _node.Current;

    [Benchmark(Description = "IZNode<T>.Current.RawPayload (bytes read, no copy)")]
    public int NodeRawPayload() => _node.Current.RawPayload.Length;

    [Benchmark(Description = "IOptionsMonitor<T>.CurrentValue")]
    public ConfigPayload OptionsMonitorCurrentValue() => _monitor.CurrentValue;
}
