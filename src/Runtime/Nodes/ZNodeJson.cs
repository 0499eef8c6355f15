using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ZkTypedState;

/// <summary>
/// The JSON rules every node payload is decoded with: property names match case-insensitively (as configuration binding
/// does), and in strict mode a member the type does not have faults the payload. Also the hook generated code uses to
/// keep <c>init</c> members' initializer defaults under a JsonSerializerContext.
/// </summary>
/// <remarks>
/// All of it works on copies of the given metadata's options with the same resolver, so it is reflection-free when the
/// metadata comes from a JsonSerializerContext (trim- and native-AOT-safe).
/// </remarks>
public static class ZNodeJson
{
    /// <summary>
    /// Metadata for <typeparamref name="T"/> over a copy of <paramref name="source"/>'s options whose resolver runs
    /// <paramref name="modifier"/> on every type's metadata before it is used.
    /// </summary>
    /// <param name="source">Metadata from a JsonSerializerContext (or any resolver-backed options).</param>
    /// <param name="modifier">Adjusts a type's metadata, e.g. <c>CreateObject</c> and property setters.</param>
    /// <typeparam name="T">The bound type.</typeparam>
    /// <returns>The modified metadata; <paramref name="source"/> itself when its options have no resolver.</returns>
    public static JsonTypeInfo<T> WithModifier<T>(JsonTypeInfo<T> source, Action<JsonTypeInfo> modifier)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(modifier);
        if (source.Options.TypeInfoResolver is not { } resolver)
        {
            return source;
        }

        var options = new JsonSerializerOptions(source.Options) { TypeInfoResolver = resolver.WithAddedModifier(modifier) };
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>
    /// For generated code: gives every property that System.Text.Json binds through a constructor parameter the setter
    /// <paramref name="setterFor"/> returns for the parameter's name, so that the caller can then set
    /// <see cref="JsonTypeInfo{T}.CreateObject"/> (values are created by the type's own constructor and initializers,
    /// and members missing from a payload keep their defaults). Changes nothing and returns false when a parameter has no
    /// setter (a real constructor parameter), so System.Text.Json's constructor path stays.
    /// </summary>
    /// <param name="info">The metadata being configured (in a resolver modifier).</param>
    /// <param name="setterFor">The setter of the init-only property of that name, or null.</param>
    /// <returns>True when the setters were installed.</returns>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static bool UseInitSetters(JsonTypeInfo info, Func<string, Action<object, object?>?> setterFor)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(setterFor);
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return false;
        }

        var setters = new List<(JsonPropertyInfo Property, Action<object, object?> Set)>();
        foreach (JsonPropertyInfo property in info.Properties)
        {
            if (property.AssociatedParameter is not { } parameter)
            {
                continue;
            }

            if (setterFor(parameter.Name) is not { } set)
            {
                return false;
            }

            setters.Add((property, set));
        }

        foreach ((JsonPropertyInfo property, Action<object, object?> set) in setters)
        {
            property.Set = set;
        }

        return true;
    }

    /// <summary>The metadata payloads are decoded with: case-insensitive names, and unmapped members rejected when strict.</summary>
    /// <exception cref="NotSupportedException">
    /// The metadata is reflection-based while the app disabled reflection-based serialization (trimmed and native AOT
    /// builds do): payloads would silently read as the type's defaults, so every decode faults with this instead.
    /// </exception>
    internal static JsonTypeInfo<T> ForPayloads<T>(JsonTypeInfo<T> source, bool strict)
    {
        if (!JsonSerializer.IsReflectionEnabledByDefault && source.Options.TypeInfoResolver is DefaultJsonTypeInfoResolver)
        {
            throw new NotSupportedException(
                $"{typeof(T).Name} is serialized with reflection-based metadata, but this app is trimmed or compiled ahead of time " +
                $"(reflection-based JSON disabled), where its members may be gone: add [JsonSerializable(typeof({typeof(T).Name}))] " +
                "to a partial JsonSerializerContext in the assembly that declares it (ZKTS014).");
        }

        if (source.Options.TypeInfoResolver is null)
        {
            // Hand-made metadata without a resolver cannot be re-created with other options: used as given.
            return source;
        }

        try
        {
            return Create(source, caseInsensitive: true, strict);
        }
        catch (InvalidOperationException)
        {
            // Two members whose names differ only in case cannot be matched case-insensitively: keep exact matching.
            return Create(source, caseInsensitive: source.Options.PropertyNameCaseInsensitive, strict);
        }
    }

    private static JsonTypeInfo<T> Create<T>(JsonTypeInfo<T> source, bool caseInsensitive, bool strict)
    {
        var options = new JsonSerializerOptions(source.Options) { PropertyNameCaseInsensitive = caseInsensitive };
        if (strict)
        {
            options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        }

        // GetTypeInfo returns configured metadata, so a name collision throws here, not at the first payload.
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }
}
