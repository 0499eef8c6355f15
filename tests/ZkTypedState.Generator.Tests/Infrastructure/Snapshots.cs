using System.Reflection;
using System.Runtime.CompilerServices;
using Snapshooter;
using Snapshooter.Xunit;

namespace ZkTypedState.Generator.Tests.Infrastructure;

/// <summary>
/// Snapshot matching against <c>__snapshots__/{Class}.{Test}.snap</c> in this project's folder. A missing snapshot is
/// written on a developer's machine (review and commit it) but fails under CI, so CI never passes by creating one.
/// </summary>
internal static class Snapshots
{
    /// <summary>This test project's folder (from the build, not from mapped source paths).</summary>
    public static readonly string ProjectDirectory = typeof(Snapshots).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ProjectDirectory").Value!;

    public static void Match(string actual, [CallerFilePath] string callerFile = "", [CallerMemberName] string test = "")
    {
        string name = $"{Path.GetFileNameWithoutExtension(callerFile.Replace('\\', '/').Split('/').Last())}.{test}.snap";
        string file = Path.Combine(ProjectDirectory, "__snapshots__", name);
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.True(File.Exists(file), $"Snapshot {file} is missing: run the tests locally, review the new snapshot and commit it.");
        }

        Snapshot.Match(actual, new SnapshotFullName(name, ProjectDirectory));
    }
}
