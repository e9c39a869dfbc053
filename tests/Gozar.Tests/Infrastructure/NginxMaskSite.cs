using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gozar.Tests.Infrastructure;

/// <summary>
/// A real HTTPS site as the mask: Debian's nginx started on loopback with its own config and a fresh self-signed
/// certificate for example.com. CI installs nginx (.ci/run); elsewhere tests that need it are skipped when it is absent.
/// </summary>
public sealed class NginxMaskSite : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly string _directory;

    private NginxMaskSite(Process process, string directory, IPEndPoint endPoint)
    {
        _process = process;
        _directory = directory;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Skips the calling test when nginx is missing, except in CI, where it must be there.</summary>
    public static void RequireInstalled()
    {
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!File.Exists(Binary))
        {
            Assert.False(ci, "nginx is missing in CI: .ci/run installs it (apt-get install nginx-light)");
            Skip.If(true, "nginx is not installed (apt-get install nginx-light)");
        }
    }

    /// <param name="headerTimeout">nginx's client_header_timeout: how long it waits for a silent client.</param>
    public static async Task<NginxMaskSite> StartAsync(TimeSpan headerTimeout)
    {
        var directory = Directory.CreateTempSubdirectory("gozar-nginx-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "tmp"));
        WriteCertificate(directory);
        var port = FreePort();
        var seconds = Math.Max(1, (int)headerTimeout.TotalSeconds);
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            error_log {{directory}}/error.log;
            pid {{directory}}/nginx.pid;
            events { worker_connections 512; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/tmp; proxy_temp_path {{directory}}/tmp; fastcgi_temp_path {{directory}}/tmp;
              uwsgi_temp_path {{directory}}/tmp; scgi_temp_path {{directory}}/tmp;
              client_header_timeout {{seconds}}s;
              keepalive_timeout 60s;
              server {
                listen 127.0.0.1:{{port}} ssl;
                server_name example.com;
                ssl_certificate {{directory}}/cert.pem;
                ssl_certificate_key {{directory}}/key.pem;
                ssl_protocols TLSv1.2 TLSv1.3;
                location / { return 200 "hello from the mask site\n"; }
              }
            }
            """);
        var process = Process.Start(new ProcessStartInfo(Binary, ["-p", directory, "-e", Path.Combine(directory, "error.log"), "-c", Path.Combine(directory, "nginx.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        var site = new NginxMaskSite(process, directory, endPoint);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(endPoint, timeout.Token);
                return site;
            }
            catch (SocketException) when (!process.HasExited)
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (SocketException)
            {
                var log = File.Exists(Path.Combine(directory, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "error.log")) : string.Empty;
                await site.DisposeAsync();
                throw new InvalidOperationException($"nginx did not start: {await process.StandardError.ReadToEndAsync()} {log}");
            }
        }
    }

    private static void WriteCertificate(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=example.com", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("example.com");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
