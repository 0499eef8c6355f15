namespace ZkTypedState.Recipes.Tests.Support;

/// <summary>Generous upper bounds for awaiting events: they fail a hung test, they never pace a passing one.</summary>
public static class Timeouts
{
    public static readonly TimeSpan Event = TimeSpan.FromSeconds(20);

    public static CancellationToken Token() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
