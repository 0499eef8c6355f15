using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Hosting;

/// <summary>
/// Issue 13, items 5 and 7: the runtime's options (and the client options they produce) are validated when the host
/// starts, with a message naming the option; a startup that times out says why the connection failed.
/// </summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string, Action<ZkTypedStateOptions>> InvalidSettings => new()
    {
        { "MaxConcurrentReads", o => o.MaxConcurrentReads = -1 },
        { "MaxFamilyNonMembers", o => o.MaxFamilyNonMembers = -1 },
        { "MaxPayloadBytes", o => o.MaxPayloadBytes = 0 },
        { "SessionTimeout", o => o.SessionTimeout = TimeSpan.Zero },
        { "InitialSyncTimeout", o => o.InitialSyncTimeout = TimeSpan.FromSeconds(-1) },
        { "MaxNewSessionDelay", o => o.MaxNewSessionDelay = TimeSpan.FromMilliseconds(-5) },
        { "SessionLossPolicy", o => o.SessionLossPolicy = (SessionLossPolicy)42 },
        { "InitialSyncFailure", o => o.InitialSyncFailure = (InitialSyncFailureBehavior)7 },
        { "ConnectionString", o => o.ConnectionString = " " },
        { "Credentials", o => o.Credentials.Add((string.Empty, [1])) },
        // The client's own rules, through the options the runtime builds for it.
        { "PresumedExpiryFraction", o => o.PresumedExpiryFraction = double.NaN },
        { "port", o => o.ConnectionString = "zk1: 2181" },
        { "MaxReconnectDelay", o => o.ConfigureClient = c => c.MaxReconnectDelay = TimeSpan.FromSeconds(-1) },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task An_invalid_setting_fails_host_start_with_a_message_naming_it(string option, Action<ZkTypedStateOptions> configure)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddZkTypedState(o =>
        {
            o.ConnectionString = "127.0.0.1:2181";
            configure(o);
        });
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Timeouts.Token()));
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_defaults_pass()
    {
        new ZkTypedStateOptions().Validate();
    }

    [Fact]
    public async Task A_startup_that_times_out_carries_the_last_connection_error()
    {
        // A loopback port with nothing listening: every attempt is refused at once.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddZkTypedState(o =>
        {
            o.ConnectionString = $"127.0.0.1:{port}";
            o.InitialSyncTimeout = TimeSpan.FromSeconds(1.5);
        }).AddZNode(Descriptors.Counter("/options-validation/unreachable"));
        IHost host = builder.Build();
        try
        {
            var error = await Assert.ThrowsAsync<TimeoutException>(() => host.StartAsync(Timeouts.Token()));
            Assert.NotNull(error.InnerException);
            Assert.Contains("Last connection error", error.Message, StringComparison.Ordinal);
            Assert.Contains(error.InnerException!.Message, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync();
        }
    }
}
