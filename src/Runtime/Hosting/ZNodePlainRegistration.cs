using Microsoft.Extensions.DependencyInjection;

namespace ZkTypedState;

/// <summary>
/// DI wiring of plain-value nodes (<see cref="ZNodeCodecs.IsPlainValueType"/>: string, byte[], scalars). Many nodes share
/// such a type (<c>/app/motd</c> and <c>/app/banner</c> are both strings), so a plain node is always a keyed
/// <see cref="IZNode{T}"/> — under the key given, or under its path — and never the unkeyed one; a path template is the
/// type's one <see cref="IZNodeFamily{T}"/>. No <c>IOptionsMonitor&lt;T&gt;</c>/<c>IOptions&lt;T&gt;</c> is registered:
/// options of a string or an int are not options.
/// </summary>
internal static class ZNodePlainRegistration
{
    public static void Register<T>(IServiceCollection services, ZNodeDescriptor<T> descriptor, string? key)
        where T : notnull
    {
        ZNodePlainBindings<T> bindings = BindingsOf<T>(services);
        if (descriptor.IsTemplate)
        {
            RegisterFamily(services, bindings, descriptor, key);
            return;
        }

        key ??= descriptor.PathTemplate;
        if (key.Length == 0)
        {
            throw new ArgumentException("A binding key must not be empty.", nameof(key));
        }

        if (bindings.Keyed.TryGetValue(key, out ZNodeDescriptor<T>? existing))
        {
            if (existing.PathTemplate == descriptor.PathTemplate)
            {
                return; // the same binding again: nothing new
            }

            throw new InvalidOperationException($"A {typeof(T).Name} node is already bound with key '{key}' to '{existing.PathTemplate}'; cannot bind the same key to '{descriptor.PathTemplate}'.");
        }

        foreach ((string otherKey, ZNodeDescriptor<T> other) in bindings.Keyed)
        {
            if (other.PathTemplate == descriptor.PathTemplate)
            {
                throw new InvalidOperationException($"'{descriptor.PathTemplate}' is already bound to {typeof(T).Name} with key '{otherKey}'; one node cannot be bound twice (here with key '{key}').");
            }
        }

        bindings.Keyed.Add(key, descriptor);
        services.AddKeyedSingleton<IZNode<T>>(key, (sp, _) => sp.GetRequiredService<ZNodeRuntime>().Bind(descriptor, descriptor.PathTemplate, key, []));
        services.AddSingleton(new ZNodeBinding(descriptor.PathTemplate, key, descriptor.Required, sp => ZNodeRegistration.Single(sp.GetRequiredKeyedService<IZNode<T>>(key))));
    }

    private static void RegisterFamily<T>(IServiceCollection services, ZNodePlainBindings<T> bindings, ZNodeDescriptor<T> descriptor, string? key)
        where T : notnull
    {
        if (key is not null)
        {
            throw new NotSupportedException($"The path template '{descriptor.PathTemplate}' cannot be bound with a key: its nodes are named by their parameter values (IZNodeFamily<{typeof(T).Name}>.Get(\"acme\")). Bind it without a key.");
        }

        if (bindings.Family is { } family)
        {
            if (family.PathTemplate == descriptor.PathTemplate)
            {
                return;
            }

            throw new InvalidOperationException(
                $"{typeof(T).Name} is already bound to the path template '{family.PathTemplate}' (IZNodeFamily<{typeof(T).Name}>); a second template '{descriptor.PathTemplate}' of the same type would replace it. " +
                "Bind the second family's nodes by path, or declare a [ZNode] type (e.g. with Format = ZNodeFormat.Text or a Codec) for one of them.");
        }

        bindings.Family = descriptor;
        ZNodeRegistration.RegisterDefault(services, descriptor);
    }

    private static ZNodePlainBindings<T> BindingsOf<T>(IServiceCollection services)
    {
        foreach (ServiceDescriptor service in services)
        {
            if (service.ServiceType == typeof(ZNodePlainBindings<T>) && !service.IsKeyedService && service.ImplementationInstance is ZNodePlainBindings<T> found)
            {
                return found;
            }
        }

        var bindings = new ZNodePlainBindings<T>();
        services.AddSingleton(bindings);
        return bindings;
    }
}

/// <summary>The plain-value nodes registered for one type: keyed nodes, and at most one family (filled while registering).</summary>
internal sealed class ZNodePlainBindings<T>
{
    public ZNodeDescriptor<T>? Family { get; set; }

    public Dictionary<string, ZNodeDescriptor<T>> Keyed { get; } = new(StringComparer.Ordinal);
}
