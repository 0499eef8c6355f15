using ZkTypedState.Generator.Helpers;

namespace ZkTypedState.Generator.Model;

/// <summary>A spec with its serialization source resolved against the compilation's JsonSerializerContexts.</summary>
/// <param name="Spec">The type's spec.</param>
/// <param name="Json">The context property to use, or null for the reflection-based fallback.</param>
internal sealed record ZNodeModel(ZNodeSpec Spec, JsonSerializableEntry? Json)
{
    /// <summary>Picks the JSON metadata for <paramref name="spec"/>: the first context (by name) that declares the type.</summary>
    public static ZNodeModel Create(ZNodeSpec spec, EquatableArray<JsonSerializableEntry> index)
        => new(spec, spec.IsJson ? Find(index, spec.FullyQualifiedName) : null);

    /// <summary>The first entry for <paramref name="typeFullyQualifiedName"/> in the sorted index, or null.</summary>
    public static JsonSerializableEntry? Find(EquatableArray<JsonSerializableEntry> index, string typeFullyQualifiedName)
    {
        foreach (JsonSerializableEntry entry in index)
        {
            if (entry.TypeFullyQualifiedName == typeFullyQualifiedName)
            {
                return entry;
            }
        }

        return null;
    }
}

/// <summary>One line of the registration method.</summary>
/// <param name="TypeFullyQualifiedName">The bound type.</param>
/// <param name="FamilyFullyQualifiedName">Its accessor class for templates, else null.</param>
internal sealed record RegistrationEntry(string TypeFullyQualifiedName, string? FamilyFullyQualifiedName);
