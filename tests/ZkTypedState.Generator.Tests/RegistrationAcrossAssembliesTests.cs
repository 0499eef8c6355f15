using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ZkTypedState.Generator.Tests.Infrastructure;

namespace ZkTypedState.Generator.Tests;

/// <summary>
/// Issue 12, "Why" 8: an app whose [ZNode] types live in a shared library registers them with the library's public
/// <c>Add&lt;Assembly&gt;ZNodes()</c>; with InternalsVisibleTo between two assemblies that both declare [ZNode] types,
/// each still compiles and calls its own registration.
/// </summary>
public class RegistrationAcrossAssembliesTests
{
    private const string Library = """
        [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Contoso.App")]
        namespace Contoso.Shared;
        /// <summary>Shared settings.</summary>
        [ZkTypedState.ZNode("/config/shared")]
        public partial class SharedSettings
        {
            /// <summary>Limit.</summary>
            public int Limit { get; set; } = 3;
        }
        """;

    [Fact]
    public void AnAppRegistersALibrarysTypesThroughItsPublicRegistrationAndItsOwnThroughAddGeneratedZNodes()
    {
        MetadataReference library = CompileLibrary();
        GeneratorRun app = RunApp(library, """
            using Microsoft.Extensions.DependencyInjection;
            using ZkTypedState;
            namespace Contoso.App;
            /// <summary>App settings.</summary>
            [ZNode("/config/app")]
            public partial class AppSettings
            {
                /// <summary>Name.</summary>
                public string Name { get; set; } = "app";
            }

            /// <summary>Wiring.</summary>
            public static class Wiring
            {
                /// <summary>Registers both assemblies' nodes.</summary>
                public static ZkTypedStateBuilder Register(IServiceCollection services)
                    => services.AddZkTypedState(o => o.ConnectionString = "127.0.0.1:1").AddGeneratedZNodes().AddContosoSharedZNodes();
            }
            """);

        Diagnostic[] errors = app.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => e.ToString())));

        // AddGeneratedZNodes() in the friend assembly is its own, not the library's (which it can see too).
        SyntaxTree tree = app.Output.SyntaxTrees.First(t => t.FilePath == "Input0.cs");
        SemanticModel model = app.Output.GetSemanticModel(tree);
        var call = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>()
            .Single(i => i.Expression.ToString().EndsWith("AddGeneratedZNodes", StringComparison.Ordinal));
        IMethodSymbol method = Assert.IsAssignableFrom<IMethodSymbol>(model.GetSymbolInfo(call).Symbol);
        Assert.Equal("Contoso.App", method.ContainingAssembly.Name);
    }

    private static MetadataReference CompileLibrary()
    {
        CSharpCompilation input = GeneratorHarness.CreateCompilation(Library).WithAssemblyName("Contoso.Shared");
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        Diagnostic[] problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())));
        using var stream = new MemoryStream();
        Assert.True(output.Emit(stream).Success);
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    private static GeneratorRun RunApp(MetadataReference library, string source)
    {
        CSharpCompilation input = GeneratorHarness.CreateCompilation(source).WithAssemblyName("Contoso.App").AddReferences(library);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        return new GeneratorRun(input, driver, driver.GetRunResult(), output);
    }
}
