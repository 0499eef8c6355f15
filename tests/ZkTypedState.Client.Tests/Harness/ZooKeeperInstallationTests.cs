using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

public sealed class ZooKeeperInstallationTests
{
    [Fact]
    public async Task Missing_zookeeper_home_gives_a_clear_error()
    {
        var bogus = Path.Combine(Path.GetTempPath(), "no-such-zookeeper-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<ZooKeeperInstallationNotFoundException>(
            () => ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { ZooKeeperHome = bogus }));

        Assert.Contains(bogus, error.Message, StringComparison.Ordinal);
        Assert.Contains("ZOOKEEPER_HOME", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install zookeeper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zookeeper_home_without_jars_gives_a_clear_error()
    {
        var empty = Directory.CreateTempSubdirectory("zk-empty-home-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<ZooKeeperInstallationNotFoundException>(
                () => ZooKeeperTestCluster.StartAsync(3, new ZooKeeperTestServerOptions { ZooKeeperHome = empty }));

            Assert.Contains("No ZooKeeper server jar", error.Message, StringComparison.Ordinal);
            Assert.Contains(empty, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task Missing_java_gives_a_clear_error()
    {
        var bogus = Path.Combine(Path.GetTempPath(), "no-such-java-" + Guid.NewGuid().ToString("N"), "bin", "java");

        var error = await Assert.ThrowsAsync<ZooKeeperInstallationNotFoundException>(
            () => ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { JavaPath = bogus }));

        Assert.Contains("Java", error.Message, StringComparison.Ordinal);
        Assert.Contains(bogus, error.Message, StringComparison.Ordinal);
        Assert.Contains("JAVA_HOME", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_lookup_finds_java_and_the_zookeeper_jar()
    {
        var installation = ZooKeeperInstallation.Locate();

        Assert.True(File.Exists(installation.JavaPath), installation.JavaPath);
        Assert.Contains(
            installation.ClassPath,
            entry => Path.GetFileName(entry).StartsWith("zookeeper", StringComparison.Ordinal) && entry.EndsWith(".jar", StringComparison.Ordinal));
        Assert.All(installation.ClassPath, entry => Assert.True(File.Exists(entry) || Directory.Exists(entry), entry));
    }
}
