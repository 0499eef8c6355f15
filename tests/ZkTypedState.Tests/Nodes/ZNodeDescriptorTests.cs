using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>The hand-built descriptor's constructors, as pure unit tests (no server): both parse and check the same way.</summary>
public sealed class ZNodeDescriptorTests
{
    private const string Template = "/app/{tenant}/regions/{region}/cfg";

    private static ZNodeDescriptor<Counter> Json(string path) => new(path, TestJsonContext.Default.Counter, static () => new Counter());

    private static ZNodeDescriptor<string> Text(string path) => new(path, ZNodeCodecs.Text, static () => string.Empty);

    [Fact]
    public void Both_constructors_parse_a_template_into_the_same_parameters_paths_and_discovery_levels()
    {
        ZNodeDescriptor<Counter> json = Json(Template);
        ZNodeDescriptor<string> text = Text(Template);
        foreach ((IReadOnlyList<string> parameters, bool isTemplate, bool discoverable, string resolved, string parent) in new[]
        {
            (json.Parameters, json.IsTemplate, json.IsDiscoverable, json.ResolvePath("acme", "eu"), json.ParentPath(["acme"])),
            (text.Parameters, text.IsTemplate, text.IsDiscoverable, text.ResolvePath("acme", "eu"), text.ParentPath(["acme"])),
        })
        {
            Assert.Equal(["tenant", "region"], parameters);
            Assert.True(isTemplate);
            Assert.True(discoverable);
            Assert.Equal("/app/acme/regions/eu/cfg", resolved);
            Assert.Equal("/app/acme/regions", parent);
        }

        Assert.True(json.IsJson);
        Assert.False(text.IsJson);
        Assert.Same(ZNodeCodecs.Text, text.Codec);
        Assert.Same(TestJsonContext.Default.Counter, json.SourceJsonTypeInfo);
        Assert.Equal(["acme", "eu"], text.ParseOptionsName("acme/eu"));
        Assert.False(Text("/app/cfg-{id}").IsDiscoverable);
    }

    [Fact]
    public void A_plain_path_is_validated_and_resolves_to_itself()
    {
        Assert.Equal("/app/cfg", Json("/app/cfg").ResolvePath());
        Assert.Empty(Text("/app/cfg").Parameters);
        Assert.Contains("Invalid ZooKeeper path 'app/cfg'", Assert.Throws<ArgumentException>(() => Json("app/cfg")).Message);
        Assert.Contains("Invalid ZooKeeper path '/app/'", Assert.Throws<ArgumentException>(() => Text("/app/")).Message);
    }

    [Theory]
    [InlineData("/app/{tenant", "Unclosed '{'")]
    [InlineData("/app/{}", "Invalid or duplicate parameter '{}'")]
    [InlineData("/app/{a-b}", "Invalid or duplicate parameter '{a-b}'")]
    [InlineData("/app/{id}/{id}", "Invalid or duplicate parameter '{id}'")]
    public void A_bad_template_is_refused_by_either_constructor(string template, string message)
    {
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => Json(template)).Message);
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => Text(template)).Message);
    }

    [Fact]
    public void Missing_arguments_are_named_in_parameter_order()
    {
        Assert.Equal("pathTemplate", Assert.Throws<ArgumentNullException>(() => new ZNodeDescriptor<Counter>(null!, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<Counter>)null!, null!)).ParamName);
        Assert.Equal("jsonTypeInfo", Assert.Throws<ArgumentNullException>(() => new ZNodeDescriptor<Counter>("/a", (System.Text.Json.Serialization.Metadata.JsonTypeInfo<Counter>)null!, null!)).ParamName);
        Assert.Equal("codec", Assert.Throws<ArgumentNullException>(() => new ZNodeDescriptor<string>("/a", (IZNodeCodec<string>)null!, null!)).ParamName);
        Assert.Equal("createDefault", Assert.Throws<ArgumentNullException>(() => new ZNodeDescriptor<Counter>("/a", TestJsonContext.Default.Counter, null!)).ParamName);
        Assert.Equal("createDefault", Assert.Throws<ArgumentNullException>(() => new ZNodeDescriptor<string>("/a", ZNodeCodecs.Text, null!)).ParamName);
    }
}
