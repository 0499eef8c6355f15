using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ZkTypedState.Generator.Tests.Infrastructure;

/// <summary>Reflection view of a compiled [ZNode] type and its generated <c>ZNode</c> descriptor.</summary>
internal sealed class GeneratedType
{
    private readonly object _descriptor;

    public GeneratedType(Assembly assembly, string typeName)
    {
        Type = assembly.GetType(typeName, throwOnError: true)!;
        PropertyInfo property = Type.GetProperty("ZNode", BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{typeName} has no static ZNode property.");
        _descriptor = property.GetValue(null)!;
    }

    public Type Type { get; }

    public string PathTemplate => Get<string>("PathTemplate");

    public IReadOnlyList<string> Parameters => Get<IReadOnlyList<string>>("Parameters");

    public JsonTypeInfo JsonTypeInfo => Get<JsonTypeInfo>("JsonTypeInfo");

    public JsonTypeInfo SourceJsonTypeInfo => Get<JsonTypeInfo>("SourceJsonTypeInfo");

    public bool Strict => Get<bool>("Strict");

    public bool HasValidation => _descriptor.GetType().GetProperty("Validate")!.GetValue(_descriptor) is not null;

    public object CreateDefault() => Get<Delegate>("CreateDefault").DynamicInvoke()!;

    public IReadOnlyList<string> Validate(object value)
        => (IReadOnlyList<string>)Get<Delegate>("Validate").DynamicInvoke(value)!;

    public string Serialize(object value) => JsonSerializer.Serialize(value, JsonTypeInfo);

    public object Deserialize(string json) => JsonSerializer.Deserialize(json, JsonTypeInfo)!;

    public string ResolvePath(params string[] values)
        => (string)_descriptor.GetType().GetMethod("ResolvePath")!.Invoke(_descriptor, [values])!;

    public object? Member(object instance, string name)
        => (object?)Type.GetProperty(name)?.GetValue(instance) ?? Type.GetField(name)?.GetValue(instance);

    /// <summary>The descriptor's payload codec.</summary>
    public object Codec => Get<object>("Codec");

    public bool IsJson => Get<bool>("IsJson");

    /// <summary>Decodes through the descriptor's codec (IZNodeCodec&lt;T&gt;.Decode).</summary>
    public object Decode(byte[] payload) => CodecMethod("Decode").Invoke(Codec, [new ReadOnlyMemory<byte>(payload)])!;

    /// <summary>Encodes through the descriptor's codec (IZNodeCodec&lt;T&gt;.Encode).</summary>
    public byte[] Encode(object value) => (byte[])CodecMethod("Encode").Invoke(Codec, [value])!;

    private MethodInfo CodecMethod(string name) => typeof(IZNodeCodec<>).MakeGenericType(Type).GetMethod(name)!;

    private T Get<T>(string name) => (T)_descriptor.GetType().GetProperty(name)!.GetValue(_descriptor)!;
}
