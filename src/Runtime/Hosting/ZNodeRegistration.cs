using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ZkTypedState;

/// <summary>
/// A registered binding the host loads at startup: <see cref="Resolve"/> binds it (on first call) and returns the
/// path and status of each of its nodes now (one for a path, the discovered members for a template).
/// </summary>
internal sealed record ZNodeBinding(string PathTemplate, string? Key, bool Required, Func<IServiceProvider, IReadOnlyList<KeyValuePair<string, ZNodeStatus>>> Resolve);

/// <summary>
/// DI wiring of bound nodes. One unkeyed binding per type (<see cref="IZNode{T}"/> or <see cref="IZNodeFamily{T}"/>,
/// the default options name) and any number of keyed ones (keyed <see cref="IZNode{T}"/>, options named by the key).
/// A second unkeyed binding of a type at another path is an error, never a silent replacement.
/// </summary>
internal static class ZNodeRegistration
{
    public static void Register<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IServiceCollection services, ZNodeDescriptor<T> descriptor, string? key)
        where T : notnull
    {
        if (ZNodeCodecs.IsPlainValueType(typeof(T)))
        {
            // string, byte[], scalars: keyed nodes without options registrations (ZNodePlainRegistration).
            ZNodePlainRegistration.Register(services, descriptor, key);
            return;
        }

        ZNodeTypeBindings<T> bindings = BindingsOf<T>(services);
        if (key is null)
        {
            if (bindings.Default is { } existing)
            {
                if (existing.PathTemplate == descriptor.PathTemplate)
                {
                    return; // the same binding again (e.g. AddGeneratedZNodes() twice): nothing new
                }

                throw new InvalidOperationException(
                    $"{typeof(T).Name} is already bound to '{existing.PathTemplate}'; a second AddZNode<{typeof(T).Name}> at '{descriptor.PathTemplate}' would replace it. " +
                    $"To bind several nodes of one type give each a key: AddZNode(\"primary\", descriptor), then inject [FromKeyedServices(\"primary\")] IZNode<{typeof(T).Name}> or read IOptionsMonitor<{typeof(T).Name}>.Get(\"primary\").");
            }

            if (descriptor.IsTemplate && bindings.Keyed.Count > 0)
            {
                throw AmbiguousNames<T>(descriptor.PathTemplate);
            }

            CheckPathUnused(bindings, descriptor, key);
            bindings.Default = descriptor;
            RegisterDefault(services, descriptor);
        }
        else
        {
            if (key.Length == 0)
            {
                throw new ArgumentException("A binding key must not be empty (the empty name is the unkeyed binding's options name).", nameof(key));
            }

            if (descriptor.IsTemplate)
            {
                throw new NotSupportedException($"The path template '{descriptor.PathTemplate}' cannot be bound with a key: a template's nodes are already named by their parameter values (IOptionsMonitor<{typeof(T).Name}>.Get(\"acme\")). Bind it without a key.");
            }

            if (bindings.Default is { IsTemplate: true } template)
            {
                throw AmbiguousNames<T>(template.PathTemplate);
            }

            if (bindings.Keyed.TryGetValue(key, out ZNodeDescriptor<T>? existing))
            {
                if (existing.PathTemplate == descriptor.PathTemplate)
                {
                    return;
                }

                throw new InvalidOperationException($"{typeof(T).Name} is already bound with key '{key}' to '{existing.PathTemplate}'; cannot bind the same key to '{descriptor.PathTemplate}'.");
            }

            CheckPathUnused(bindings, descriptor, key);
            bindings.Keyed.Add(key, descriptor);
            services.AddKeyedSingleton<IZNode<T>>(key, (sp, _) => sp.GetRequiredService<ZNodeRuntime>().Bind(descriptor, descriptor.PathTemplate, key, Validators<T>(sp)));
            services.AddSingleton(new ZNodeBinding(descriptor.PathTemplate, key, descriptor.Required, sp => Single(sp.GetRequiredKeyedService<IZNode<T>>(key))));
        }
    }

    internal static void RegisterDefault<T>(IServiceCollection services, ZNodeDescriptor<T> descriptor)
    {
        if (descriptor.IsTemplate)
        {
            services.AddSingleton<IZNodeFamily<T>>(sp => new ZNodeFamily<T>(sp.GetRequiredService<ZNodeRuntime>(), descriptor, Validators<T>(sp)));
            services.AddSingleton(new ZNodeBinding(descriptor.PathTemplate, null, descriptor.Required, sp =>
            {
                var family = (ZNodeFamily<T>)sp.GetRequiredService<IZNodeFamily<T>>();
                return [.. family.Members.Select(m => family.TryGet(descriptor.ParseOptionsName(m), out IZNode<T>? node) ? new KeyValuePair<string, ZNodeStatus>(node.Path, node.Status) : default).Where(kv => kv.Key is not null)];
            }));
        }
        else
        {
            services.AddSingleton<IZNode<T>>(sp => sp.GetRequiredService<ZNodeRuntime>().Bind(descriptor, descriptor.PathTemplate, Options.DefaultName, Validators<T>(sp)));
            services.AddSingleton(new ZNodeBinding(descriptor.PathTemplate, null, descriptor.Required, sp => Single(sp.GetRequiredService<IZNode<T>>())));
        }
    }

    internal static KeyValuePair<string, ZNodeStatus>[] Single<T>(IZNode<T> node) => [new(node.Path, node.Status)];

    private static void CheckPathUnused<T>(ZNodeTypeBindings<T> bindings, ZNodeDescriptor<T> descriptor, string? key)
    {
        IEnumerable<(string? Key, ZNodeDescriptor<T> Descriptor)> all = bindings.Keyed.Select(kv => ((string?)kv.Key, kv.Value));
        if (bindings.Default is { } unkeyed)
        {
            all = all.Append((null, unkeyed));
        }

        foreach ((string? otherKey, ZNodeDescriptor<T> other) in all)
        {
            if (other.PathTemplate == descriptor.PathTemplate)
            {
                throw new InvalidOperationException($"'{descriptor.PathTemplate}' is already bound to {typeof(T).Name} {(otherKey is null ? "without a key" : $"with key '{otherKey}'")}; one node cannot be bound twice (here {(key is null ? "without a key" : $"with key '{key}'")}).");
            }
        }
    }

    private static InvalidOperationException AmbiguousNames<T>(string template) =>
        new($"{typeof(T).Name} is bound to the path template '{template}', whose options names are its parameter values; it cannot also have keyed bindings (their names would be ambiguous). Use another type for the keyed nodes.");

    /// <summary>The type's bindings, created with its IOptionsMonitor/IOptions/IOptionsSnapshot registrations on first use.</summary>
    private static ZNodeTypeBindings<T> BindingsOf<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IServiceCollection services)
        where T : notnull
    {
        foreach (ServiceDescriptor service in services)
        {
            if (service.ServiceType == typeof(ZNodeTypeBindings<T>) && !service.IsKeyedService && service.ImplementationInstance is ZNodeTypeBindings<T> found)
            {
                return found;
            }
        }

        var bindings = new ZNodeTypeBindings<T>();
        services.AddSingleton(bindings);
        services.AddSingleton<IOptionsMonitor<T>>(sp => new ZNodeOptionsMonitor<T>(sp, bindings));
        if (!typeof(T).IsValueType)
        {
            AddOptionsAccessors(services, typeof(T));
        }

        return bindings;
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
        services.AddSingleton(typeof(IOptions<>).MakeGenericType(type), typeof(ZNodeOptions<>).MakeGenericType(type));
        services.AddScoped(typeof(IOptionsSnapshot<>).MakeGenericType(type), typeof(ZNodeOptionsSnapshot<>).MakeGenericType(type));
        services.AddSingleton(typeof(IValidateOptionsAdapter<>).MakeGenericType(type), typeof(ValidateOptionsAdapter<>).MakeGenericType(type));
    }
}

/// <summary>The bindings registered for one type: at most one unkeyed, any number keyed (filled while registering).</summary>
internal sealed class ZNodeTypeBindings<T>
{
    public ZNodeDescriptor<T>? Default { get; set; }

    public Dictionary<string, ZNodeDescriptor<T>> Keyed { get; } = new(StringComparer.Ordinal);
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
