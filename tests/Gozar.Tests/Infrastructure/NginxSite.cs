using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gozar.Tests.Infrastructure;

/// <summary>
/// A real HTTPS site: Debian's nginx (one process, master_process off) started on 127.0.0.1 with its own config in a
/// temp directory and a Let's Encrypt-like ECDSA chain made on the fly: a P-256 leaf for the server name signed
/// (SHA-384) by a P-384 intermediate, both sent. CI installs nginx (.ci/run); elsewhere the tests that need it are
/// skipped when it is absent (<see cref="RequireInstalled"/>), while in CI its absence fails them.
/// </summary>
public sealed class NginxSite : IAsyncLifetime, IAsyncDisposable
{
    public const string ServerName = "www.example.com";
    private const string Binary = "/usr/sbin/nginx";
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly string _serverName;
    private readonly TimeSpan _headerTimeout;
    private readonly bool _plain;
    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-nginx-").FullName;
    private Process? _nginx;

    /// <summary>The fixture form: <see cref="ServerName"/>, nginx's default timeouts.</summary>
    public NginxSite()
        : this(ServerName, TimeSpan.FromSeconds(60))
    {
    }

    private NginxSite(string serverName, TimeSpan headerTimeout, bool plain = false)
    {
        _serverName = serverName;
        _headerTimeout = headerTimeout;
        _plain = plain;
    }

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>DER lengths of the certificates nginx sends, leaf first.</summary>
    public IReadOnlyList<int> ChainDerLengths { get; private set; } = [];

    /// <summary>
    /// Payload of the TLS 1.3 Certificate record: message header 4, context 1, list length 3, per certificate a 3-byte
    /// length and 2 bytes of empty extensions, then content type 1 and AEAD tag 16.
    /// </summary>
    public int CertificateRecordLength => 4 + 1 + 3 + ChainDerLengths.Sum(length => 3 + length + 2) + 1 + 16;

    /// <summary>Skips the calling test when nginx is missing, except in CI, where it must be there.</summary>
    public static void RequireInstalled()
    {
        if (!File.Exists(Binary))
        {
            var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
            Assert.False(ci, "nginx is missing in CI: .ci/run installs it (apt-get install nginx-light)");
            Skip.If(true, "nginx is not installed (apt-get install nginx-light)");
        }
    }

    /// <param name="headerTimeout">nginx's client_header_timeout: how long it waits for a silent client.</param>
    /// <param name="plain">Serve plain HTTP on the port instead of TLS and HTTP/2: the other kind of mask site.</param>
    public static async Task<NginxSite> StartAsync(string serverName, TimeSpan headerTimeout, bool plain = false)
    {
        RequireInstalled();
        var site = new NginxSite(serverName, headerTimeout, plain);
        await site.InitializeAsync();
        return site;
    }

    /// <summary>As a class fixture, nginx starts only where it is installed; each test asks with <see cref="RequireInstalled"/>.</summary>
    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary))
        {
            return;
        }

        WriteChain();
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            WriteConfig(port);
            if (await TryStartAsync(port))
            {
                EndPoint = new IPEndPoint(IPAddress.Loopback, port);
                return;
            }

            if (attempt == StartAttempts)
            {
                throw new InvalidOperationException($"nginx did not start: {ErrorLog()}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_nginx is { } nginx)
        {
            if (!nginx.HasExited)
            {
                nginx.Kill(entireProcessTree: true);
            }

            await nginx.WaitForExitAsync();
            nginx.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private async Task<bool> TryStartAsync(int port)
    {
        _nginx?.Dispose();
        _nginx = Process.Start(new ProcessStartInfo(Binary)
        {
            ArgumentList = { "-p", _directory + "/", "-e", Path.Combine(_directory, "error.log"), "-c", Path.Combine(_directory, "nginx.conf") },
            UseShellExecute = false,
        })!;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_nginx.HasExited)
            {
                return false;
            }

            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        _nginx.Kill(entireProcessTree: true);
        return false;
    }

    private void WriteChain()
    {
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = notBefore.AddDays(90);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var rootRequest = new CertificateRequest("C=US, O=Gozar Test, CN=Gozar Test Root X1", rootKey, HashAlgorithmName.SHA384);
        AddCaExtensions(rootRequest);
        using var root = rootRequest.CreateSelfSigned(notBefore, notAfter);

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var intermediateRequest = new CertificateRequest("C=US, O=Gozar Test, CN=E5", intermediateKey, HashAlgorithmName.SHA384);
        AddCaExtensions(intermediateRequest);
        using var intermediatePublic = intermediateRequest.Create(root, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest($"CN={_serverName}", leafKey, HashAlgorithmName.SHA384);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(_serverName);
        leafRequest.CertificateExtensions.Add(names.Build());
        using var leaf = leafRequest.Create(intermediate, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));

        ChainDerLengths = [leaf.RawData.Length, intermediate.RawData.Length];
        File.WriteAllText(Path.Combine(_directory, "chain.pem"), leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(_directory, "key.pem"), leafKey.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static void AddCaExtensions(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
    }

    private void WriteConfig(int port)
    {
        var temp = Path.Combine(_directory, "tmp");
        Directory.CreateDirectory(temp);
        var headerSeconds = Math.Max(1, (int)_headerTimeout.TotalSeconds);
        File.WriteAllText(Path.Combine(_directory, "nginx.conf"), $$"""
            daemon off;
            master_process off;
            pid {{_directory}}/nginx.pid;
            error_log {{_directory}}/error.log;
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path {{temp}};
                proxy_temp_path {{temp}};
                fastcgi_temp_path {{temp}};
                uwsgi_temp_path {{temp}};
                scgi_temp_path {{temp}};
                client_header_timeout {{headerSeconds}}s;
                keepalive_timeout 60s;
                server {
                    listen 127.0.0.1:{{port}}{{(_plain ? "" : " ssl http2")}};
                    server_name {{_serverName}};
                    ssl_certificate {{_directory}}/chain.pem;
                    ssl_certificate_key {{_directory}}/key.pem;
                    ssl_protocols TLSv1.2 TLSv1.3;
                    location / { return 200 "hello from the mask site\n"; }
                }
            }
            """);
    }

    private string ErrorLog()
    {
        var path = Path.Combine(_directory, "error.log");
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "(no error log)";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
