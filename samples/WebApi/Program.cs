// WebApi: an ASP.NET Core minimal API serving live ZooKeeper-backed values and a health endpoint.
//   dotnet run --project samples/WebApi [-- --connect host:port] [--urls http://127.0.0.1:5080]
// Without --connect it starts a throwaway local ZooKeeper server. Try:
//   curl localhost:5080/features   curl localhost:5080/tenants   curl localhost:5080/tenants/acme/limits   curl localhost:5080/health
//   curl -X PUT localhost:5080/features -H 'content-type: application/json' -d '{"NewCheckout":true,"RolloutPercent":10}'
//   curl localhost:5080/checkout   (plain configuration from /webapi/config: change it with zkCli, e.g.
//   set /webapi/config/Checkout/Currency USD, and the next request shows it)
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using WebApi;
using ZkTypedState;
using ZkTypedState.Client;
using ZkTypedState.Testing;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
string? connect = builder.Configuration["connect"] ?? Environment.GetEnvironmentVariable("ZK_CONNECT");
ZooKeeperTestServer? server = null;
if (string.IsNullOrEmpty(connect))
{
    server = await ZooKeeperTestServer.StartAsync();
    connect = server.ConnectionString;
    Console.WriteLine($"Started a local ZooKeeper server at {connect}");
    await using ZooKeeperClient seed = await ZooKeeperClient.ConnectAsync(connect);
    foreach ((string path, string data) in new[] { ("/webapi", ""), ("/webapi/config", ""), ("/webapi/config/Checkout", ""), ("/webapi/config/Checkout/Currency", "EUR"), ("/webapi/config/Checkout/Limits", """{"MaxItems":20,"Countries":["DE","FR"]}""") })
    {
        await seed.CreateAsync(path, System.Text.Encoding.UTF8.GetBytes(data));
    }
}

// Plain configuration next to the typed [ZNode] values below: /webapi/config/Checkout/Currency = EUR is read as
// configuration["Checkout:Currency"], a JSON node is flattened into keys (Checkout:Limits:MaxItems, …), layered over
// appsettings.json and under environment variables added after it, and reloaded live into IOptionsMonitor<CheckoutOptions>.
builder.Configuration.AddZooKeeper(o =>
{
    o.ConnectionString = connect!;
    o.AddSubtree("/webapi/config");
    o.FlattenJson = true;
    o.Optional = true; // start without it (and fill in later) rather than fail when ZooKeeper is down
});
builder.Configuration.AddEnvironmentVariables("WEBAPI_");
builder.Services.Configure<CheckoutOptions>(builder.Configuration.GetSection("Checkout"));

builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, WebApiJson.Default));
builder.Services.AddZkTypedState(o => o.ConnectionString = connect!).AddGeneratedZNodes();
builder.Services.AddHealthChecks().AddZkTypedState();

WebApplication app = builder.Build();

app.MapGet("/features", (IZNode<FeatureFlags> node) => View(node));
app.MapPut("/features", async (FeatureFlags flags, IZNode<FeatureFlags> node, CancellationToken ct) =>
{
    try
    {
        await node.SetAsync(flags, cancellationToken: ct);
        return Results.Ok(View(node));
    }
    catch (ZNodeValidationException invalid)
    {
        return Results.ValidationProblem(new Dictionary<string, string[]> { [invalid.Path] = [.. invalid.Errors] });
    }
});
// Tenants are the children of /webapi/tenants, discovered and loaded at startup. A name from the URL is only looked up
// (TryGet binds nothing), so requests for unknown tenants cannot make the app watch arbitrary paths: they get a 404.
app.MapGet("/tenants", (IZNodeFamily<TenantLimits> tenants) => string.Join('\n', tenants.Members.Order(StringComparer.Ordinal)));
app.MapGet("/tenants/{tenant}/limits", (string tenant, IZNodeFamily<TenantLimits> tenants) =>
    tenants.TryGet([tenant], out IZNode<TenantLimits>? node) && node.Status != ZNodeStatus.Missing
        ? Results.Ok(View(node))
        : Results.NotFound($"No tenant '{tenant}' ({tenants.Members.Count} known: GET /tenants)."));
app.MapGet("/checkout", (IOptionsMonitor<CheckoutOptions> checkout) => checkout.CurrentValue);
app.MapGet("/rollout", (IOptionsMonitor<FeatureFlags> flags) => flags.CurrentValue.NewCheckout ? $"new checkout for {flags.CurrentValue.RolloutPercent}%" : "old checkout");
app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
{
    ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status200OK },
});

await app.RunAsync();
if (server is not null)
{
    await server.DisposeAsync();
}

static NodeView<T> View<T>(IZNode<T> node)
{
    ZNodeSnapshot<T> current = node.Current;
    return new NodeView<T>(node.Path, current.Status.ToString(), current.Value, current.Stat?.Version, current.Error?.Message);
}
