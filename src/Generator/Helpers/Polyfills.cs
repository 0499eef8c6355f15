// Tiny polyfills for language features the netstandard2.0 target lacks (records, init accessors).
// Internal so they never leak into the compilations the generator runs in.

namespace System.Runtime.CompilerServices
{
    /// <summary>Lets <c>init</c> accessors and records compile on netstandard2.0.</summary>
    internal static class IsExternalInit
    {
    }
}
