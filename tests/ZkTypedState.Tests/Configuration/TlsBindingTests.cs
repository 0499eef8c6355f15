using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Configuration;

/// <summary>Issue 16 item 3: TLS from configuration, with certificate files in place of certificate objects.</summary>
public sealed class TlsBindingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("zk-tls-binding-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Certificate_files_from_configuration_connect_to_a_server_requiring_mutual_TLS()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TlsMode = ZooKeeperTestTlsMode.MutualTls });
        ZooKeeperTestTlsCertificates certificates = server.TlsCertificates!;
        string ca = Write("ca.pem", certificates.CaCertificate.ExportCertificatePem());
        string pfx = Write("client.pfx", certificates.ClientCertificate.Export(X509ContentType.Pkcs12, "pfx-pw"));
        string path = RuntimeServerFixture.UniquePath("tls-bound");
        await using (var plain = await ZooKeeperClient.ConnectAsync(server.ConnectionString, cancellationToken: Timeouts.Token()))
        {
            await plain.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":11}"""), cancellationToken: Timeouts.Token());
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ZooKeeper:ConnectionString"] = server.SecureConnectionString,
            ["ZooKeeper:SessionTimeout"] = "00:00:04",
            ["ZooKeeper:Tls:TrustedRootCertificatePaths:0"] = ca,
            ["ZooKeeper:Tls:ClientCertificatePath"] = pfx,
            ["ZooKeeper:Tls:ClientCertificatePassword"] = "pfx-pw",
        }).Build();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddZkTypedState(configuration.GetSection("ZooKeeper")).AddZNode(Descriptors.Payments(path));
        using IHost host = builder.Build();
        await host.StartAsync(Timeouts.Token());

        Assert.Equal(11, host.Services.GetRequiredService<IZNode<PaymentsConfig>>().Value.Limit);
        Assert.Equal(server.SecureConnectionString, host.Services.GetRequiredService<ZooKeeperSession>().Client?.ConnectedServer);
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public void A_PEM_certificate_with_a_PEM_key_file_loads_with_its_private_key()
    {
        using TestCertificateAuthority authority = TestCertificateAuthority.Create();
        using X509Certificate2 client = authority.IssueClientCertificate();
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)client.GetRSAPrivateKey() ?? client.GetECDsaPrivateKey()!;
        string certificate = Write("client.pem", client.ExportCertificatePem());
        string keyFile = Write("client.key", key.ExportPkcs8PrivateKeyPem());
        string bundle = Write("roots.pem", authority.Certificate.ExportCertificatePem() + "\n" + client.ExportCertificatePem());

        ZkTypedStateOptions options = OptionsBindingTests.Resolve($$"""
            { "ZooKeeper": { "Tls": { "ClientCertificatePath": "{{Escape(certificate)}}", "ClientCertificateKeyPath": "{{Escape(keyFile)}}", "TrustedRootCertificatePaths": [ "{{Escape(bundle)}}" ] } } }
            """);

        X509Certificate2 loaded = Assert.Single(options.Tls!.ClientCertificates);
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(client.Thumbprint, loaded.Thumbprint);
        Assert.Equal([authority.Certificate.Thumbprint, client.Thumbprint], options.Tls.TrustedRootCertificates.Select(c => c.Thumbprint));
        options.Validate();
    }

    [Fact]
    public void A_missing_certificate_file_is_a_startup_error_naming_the_setting_and_the_path()
    {
        string missing = Path.Combine(_directory, "nope.pem");
        var error = Assert.Throws<OptionsValidationException>(() => OptionsBindingTests.Resolve($$"""{ "ZooKeeper": { "Tls": { "TrustedRootCertificatePaths": [ "{{Escape(missing)}}" ] } } }"""));

        Assert.Contains("Tls.TrustedRootCertificatePaths[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_PFX_with_the_wrong_password_is_a_startup_error_without_the_password()
    {
        using TestCertificateAuthority authority = TestCertificateAuthority.Create();
        using X509Certificate2 client = authority.IssueClientCertificate();
        string pfx = Write("client.pfx", client.Export(X509ContentType.Pkcs12, "right-pw"));

        var error = Assert.Throws<OptionsValidationException>(() => OptionsBindingTests.Resolve($$"""{ "ZooKeeper": { "Tls": { "ClientCertificatePath": "{{Escape(pfx)}}", "ClientCertificatePassword": "wrong-pw" } } }"""));

        Assert.Contains("Tls.ClientCertificatePath: cannot load a certificate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pw", error.Message, StringComparison.Ordinal);
    }

    private static string Escape(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
