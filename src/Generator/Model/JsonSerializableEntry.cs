using System;

namespace ZkTypedState.Generator.Model;

/// <summary>
/// One <c>[JsonSerializable(typeof(T))]</c> on a partial JsonSerializerContext of the compilation: the context's
/// <c>Default.PropertyName</c> is the reflection-free <c>JsonTypeInfo&lt;T&gt;</c>.
/// </summary>
/// <param name="TypeFullyQualifiedName">The serializable type (<c>global::Ns.Limits</c>).</param>
/// <param name="ContextFullyQualifiedName">The context (<c>global::Ns.AppJsonContext</c>).</param>
/// <param name="PropertyName">The generated property: TypeInfoPropertyName if set, else the type's name.</param>
internal sealed record JsonSerializableEntry(string TypeFullyQualifiedName, string ContextFullyQualifiedName, string PropertyName)
    : IComparable<JsonSerializableEntry>
{
    /// <inheritdoc/>
    public int CompareTo(JsonSerializableEntry? other)
    {
        if (other is null)
        {
            return 1;
        }

        int c = string.CompareOrdinal(TypeFullyQualifiedName, other.TypeFullyQualifiedName);
        if (c == 0)
        {
            c = string.CompareOrdinal(ContextFullyQualifiedName, other.ContextFullyQualifiedName);
        }

        return c != 0 ? c : string.CompareOrdinal(PropertyName, other.PropertyName);
    }
}
