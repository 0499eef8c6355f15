namespace ZkTypedState.Testing;

/// <summary>
/// Thrown when the Java runtime or the ZooKeeper jars needed to run a <see cref="ZooKeeperTestServer"/>
/// cannot be found. The message names what is missing, where it was looked for and how to install it.
/// </summary>
public sealed class ZooKeeperInstallationNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is missing and how to install it.</param>
    public ZooKeeperInstallationNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is missing and how to install it.</param>
    /// <param name="innerException">The underlying failure.</param>
    public ZooKeeperInstallationNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
