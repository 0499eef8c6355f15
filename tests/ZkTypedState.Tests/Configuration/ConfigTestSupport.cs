using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using ZkTypedState.Client;
using ZkTypedState.Configuration;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Configuration;

/// <summary>Waits driven by the configuration's reload token and the provider's status event, never by polling.</summary>
internal static class ConfigTestSupport
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static async Task UntilAsync(IConfiguration configuration, Func<bool> condition, string description)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable registration = ChangeToken.OnChange(configuration.GetReloadToken, () =>
        {
            if (condition())
            {
                reached.TrySetResult();
            }
        });
        if (condition())
        {
            return;
        }

        try
        {
            await reached.Task.WaitAsync(Timeouts.Event);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out waiting until {description}.");
        }
    }

    public static async Task StatusUntilAsync(ZooKeeperConfigurationProvider provider, Func<ZooKeeperConfigurationStatus, bool> condition, string description)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(ZooKeeperConfigurationStatus status)
        {
            if (condition(status))
            {
                reached.TrySetResult();
            }
        }

        provider.StatusChanged += Handler;
        try
        {
            if (condition(provider.Status))
            {
                return;
            }

            await reached.Task.WaitAsync(Timeouts.Event);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out waiting until {description} (status: {provider.Status}).");
        }
        finally
        {
            provider.StatusChanged -= Handler;
        }
    }

    public static ZooKeeperConfigurationProvider Provider(IConfigurationRoot root) => Assert.Single(root.GetZooKeeperProviders());

    public static async Task CreateTreeAsync(ZooKeeperClient client, string root, params (string Path, string Data)[] nodes)
    {
        await client.CreateAsync(root);
        foreach ((string path, string data) in nodes)
        {
            await client.CreateAsync(root + path, Utf8(data));
        }
    }
}

/// <summary>Counts reloads and waits for conditions in the same callback, so a count read after a wait includes that reload.</summary>
internal sealed class ReloadCounter : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly IDisposable _registration;
    private readonly object _gate = new();
    private (Func<bool> Condition, TaskCompletionSource Reached)? _waiter;
    private int _count;

    public ReloadCounter(IConfiguration configuration)
    {
        _configuration = configuration;
        _registration = ChangeToken.OnChange(configuration.GetReloadToken, OnReload);
    }

    public int Count => Volatile.Read(ref _count);

    public async Task UntilAsync(Func<bool> condition, string description)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition())
            {
                return;
            }

            _waiter = (condition, reached);
        }

        try
        {
            await reached.Task.WaitAsync(Tests.Support.Timeouts.Event);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out waiting until {description} (after {Count} reloads).");
        }
    }

    public void Dispose() => _registration.Dispose();

    private void OnReload()
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _count);
            if (_waiter is { } waiter && waiter.Condition())
            {
                _waiter = null;
                waiter.Reached.TrySetResult();
            }
        }
    }
}

/// <summary>Writes log entries to the test output (shown when a test fails).</summary>
internal sealed class TestOutputLoggerProvider(Xunit.Abstractions.ITestOutputHelper output) : Microsoft.Extensions.Logging.ILoggerProvider
{
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(Xunit.Abstractions.ITestOutputHelper output, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " | " + exception.GetType().Name + ": " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished.
            }
        }
    }
}
