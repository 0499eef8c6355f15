using ZkTypedState.Client;

namespace ZkTypedState.Generator.Tests;

/// <summary>The generator's compile-time path checks agree with the client's run-time rules and the descriptor's template parser.</summary>
public class PathRulesTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/config")]
    [InlineData("/config/app-1.json")]
    [InlineData("/a/b/c/d")]
    [InlineData("/zookeeperish")]
    [InlineData("/config/é/日本")]
    [InlineData("relative")]
    [InlineData("")]
    [InlineData("/config/")]
    [InlineData("/config//app")]
    [InlineData("/config/./app")]
    [InlineData("/config/../app")]
    [InlineData("/config/\u0000")]
    [InlineData("/config/\u007f")]
    [InlineData("/config/\ud800")]
    [InlineData("/config/\ufff0")]
    public void PlainPaths_AreRejectedWhenTheClientRejectsThem(string path)
    {
        ZNodePathParser.Result result = ZNodePathParser.Parse(path);
        Assert.Equal(ZooKeeperPath.GetError(path) is not null, result.Error is not null);
    }

    [Theory]
    [InlineData("/config/tenants/{tenant}/limits", new[] { "tenant" })]
    [InlineData("/{a}/{b_2}/{Ω}", new[] { "a", "b_2", "Ω" })]
    public void ValidTemplates_HaveTheDescriptorsParameters(string template, string[] parameters)
    {
        ZNodePathParser.Result result = ZNodePathParser.Parse(template);
        Assert.Null(result.Error);
        Assert.Equal(parameters, result.Parameters);
        Assert.Equal(parameters, new ZNodeDescriptor<object>(template, System.Text.Json.Serialization.Metadata.JsonMetadataServices.CreateValueInfo<object>(new(), System.Text.Json.Serialization.Metadata.JsonMetadataServices.ObjectConverter), () => new object()).Parameters);
    }

    [Fact]
    public void TemplatesDifferingOnlyInParameterNames_NormalizeAlike()
        => Assert.Equal(ZNodePathParser.Parse("/a/{x}/b").NormalizedPath, ZNodePathParser.Parse("/a/{y}/b").NormalizedPath);
}
