using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;

namespace ZkTypedState.Client.Tests.Tls;

internal static class TlsTestSupport
{
    /// <summary>One connection attempt as the session loop makes it: TCP connect, TLS handshake, ZooKeeper handshake.</summary>
    public static Task<ZkConnection> OpenAsync(int port, ZooKeeperTlsOptions? tls, TimeSpan timeout, string host = "127.0.0.1") =>
        ZkConnection.OpenAsync(
            new HostEndpoint(host, port),
            new ConnectRequest(0, 0, 4000, 0, new byte[ConnectRequest.PasswordLength], ReadOnly: false),
            timeout,
            4 * 1024 * 1024,
            ZooKeeperClientOptions.DefaultServerMaxBuffer,
            tls,
            CancellationToken.None);
}

/// <summary>Keeps every formatted log line (all levels) so a test can assert what the client reported.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue((logLevel, formatter(state, exception)));
}
