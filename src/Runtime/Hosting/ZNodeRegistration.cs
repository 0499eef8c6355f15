using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ZkTypedState;

/// <summary>A bound node the host loads at startup.</summary>
internal sealed record ZNodeBinding(string PathTemplate, Func<IServiceProvider, object> Resolve);

/// <summary>DI wiring of one bound node.</summary>
internal static class ZNodeRegistration
{
    public static void Register<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IServiceCollection services, ZNodeDescriptor<T> descriptor)
        where T : notnull
    {
        if (descriptor.IsTemplate)
        {
            services.AddSingleton<IZNodeFamily<T>>(sp => new ZNodeFamily<T>(sp.GetRequiredService<ZNodeRuntime>(), descriptor, Validators<T>(sp)));
            services.AddSingleton<IOptionsMonitor<T>>(sp => new ZNodeOptionsMonitor<T>((ZNodeFamily<T>)sp.GetRequiredService<IZNodeFamily<T>>()));
        }
        else
        {
            services.AddSingleton<IZNode<T>>(sp => sp.GetRequiredService<ZNodeRuntime>().Bind(descriptor, descriptor.PathTemplate, Options.DefaultName, Validators<T>(sp)));
            services.AddSingleton<IOptionsMonitor<T>>(sp => new ZNodeOptionsMonitor<T>((ZNodeValue<T>)sp.GetRequiredService<IZNode<T>>()));
            services.AddSingleton(new ZNodeBinding(descriptor.PathTemplate, sp => sp.GetRequiredService<IZNode<T>>()));
        }

        if (!typeof(T).IsValueType)
        {
            AddOptionsAccessors(services, typeof(T));
        }
    }

    /// <summary>IValidateOptions&lt;T&gt; registrations (through their adapter) run on every payload before it is applied.</summary>
    private static List<Func<string, T, IReadOnlyList<string>>> Validators<T>(IServiceProvider services) =>
        services.GetServices<IValidateOptionsAdapter<T>>().Select(a => (Func<string, T, IReadOnlyList<string>>)a.Validate).ToList();

    // IOptions<T> and IOptionsSnapshot<T> require T : class, which AddZNode<T> cannot demand of every T; for reference
    // types the closed generic shares canonical code, so constructing it at run time is safe under trimming and AOT.
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050", Justification = "Only instantiated over reference types, whose canonical instantiation always exists.")]
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "The open generics are referenced statically and T carries the annotations they need.")]
    [UnconditionalSuppressMessage("Trimming", "IL2071", Justification = "The open generics are referenced statically and T carries the annotations they need.")]
    private static void AddOptionsAccessors(IServiceCollection services, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type type)
    {
        Type implementation = typeof(ZNodeOptions<>).MakeGenericType(type);
        services.AddSingleton(typeof(IOptions<>).MakeGenericType(type), implementation);
        services.AddScoped(typeof(IOptionsSnapshot<>).MakeGenericType(type), implementation);
        services.AddSingleton(typeof(IValidateOptionsAdapter<>).MakeGenericType(type), typeof(ValidateOptionsAdapter<>).MakeGenericType(type));
    }
}

/// <summary>Runs the registered <see cref="IValidateOptions{TOptions}"/> of a reference type.</summary>
internal sealed class ValidateOptionsAdapter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IEnumerable<IValidateOptions<T>> validators) : IValidateOptionsAdapter<T>
    where T : class
{
    private readonly IValidateOptions<T>[] _validators = [.. validators];

    public IReadOnlyList<string> Validate(string name, T value)
    {
        List<string>? failures = null;
        foreach (IValidateOptions<T> validator in _validators)
        {
            ValidateOptionsResult result = validator.Validate(name, value);
            if (result.Failed)
            {
                (failures ??= []).AddRange(result.Failures ?? [result.FailureMessage]);
            }
        }

        return failures ?? (IReadOnlyList<string>)[];
    }
}

/// <summary>Adapts an <see cref="IValidateOptions{TOptions}"/> (which needs T : class) to a plain delegate.</summary>
internal interface IValidateOptionsAdapter<in T>
{
    IReadOnlyList<string> Validate(string name, T value);
}
