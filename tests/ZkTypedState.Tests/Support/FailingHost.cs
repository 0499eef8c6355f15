using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ZkTypedState.Tests.Support;

/// <summary>A host built only to see its start fail: the start's exception, with the host disposed (sessions included).</summary>
internal static class FailingHost
{
    /// <summary>
    /// Builds a host without defaults from <paramref name="configureServices"/>, asserts that starting it throws exactly
    /// <typeparamref name="TException"/>, disposes it and returns the exception.
    /// </summary>
    public static async Task<TException> StartAsync<TException>(Action<IServiceCollection> configureServices)
        where TException : Exception
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configureServices(builder.Services);
        IHost host = builder.Build();
        try
        {
            return await Assert.ThrowsAsync<TException>(() => host.StartAsync(Timeouts.Token()));
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync();
        }
    }
}
