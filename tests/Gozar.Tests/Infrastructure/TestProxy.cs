using System.Net;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.SelfTest;
using Gozar.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.Tests.Infrastructure;

/// <summary>A real Gozar listener on an ephemeral loopback port, configured in code.</summary>
public sealed class TestProxy : IAsyncDisposable
{
    public static readonly byte[] AliceKey = Convert.FromHexString("0123456789abcdef0123456789abcdef");
    public static readonly byte[] BobKey = Convert.FromHexString("fedcba9876543210fedcba9876543210");
    public const string Domain = "example.com";

    private readonly ProxyServer _server;

    private TestProxy(ProxyServer server) => _server = server;

    public IPEndPoint EndPoint => _server.Endpoints[0];

    public SessionContext Context => _server.Context;

    public IReadOnlyList<IPEndPoint> Endpoints => _server.Endpoints;

    public Gozar.Users.UserRegistry Users => _server.Users;

    public ProxyServer Server => _server;

    public static ProxyOptions Options(
        EchoDc dc, FakeMaskSite? mask = null, ModeOptions? modes = null,
        IReadOnlyDictionary<string, IReadOnlyList<HostEndpoint>>? overrides = null, bool fastMode = true,
        TimeSpan? handshakeTimeout = null, TimeSpan? idleTimeout = null, IPEndPoint? maskEndPoint = null) => new()
        {
            Listen = [new IPEndPoint(IPAddress.Loopback, 0)],
            Modes = modes ?? new ModeOptions(Classic: true, Secure: true, Tls: true),
            Tls = new TlsOptions
            {
                Domains = [Domain],
                MaskHost = new HostEndpoint("127.0.0.1", (maskEndPoint ?? mask?.EndPoint)?.Port ?? 9),
            },
            Users = [new UserOptions("alice", AliceKey), new UserOptions("bob", BobKey)],
            Upstream = new UpstreamOptions
            {
                DcOverrides = overrides ?? new Dictionary<string, IReadOnlyList<HostEndpoint>>
                {
                    ["*"] = [new HostEndpoint("127.0.0.1", dc.Port)],
                },
                FastMode = fastMode,
                ConnectTimeout = TimeSpan.FromSeconds(5),
            },
            Timeouts = new TimeoutOptions
            {
                Handshake = handshakeTimeout ?? TimeSpan.FromSeconds(10),
                Idle = idleTimeout ?? TimeSpan.FromMinutes(5),
            },
            Limits = new LimitOptions(),
            Log = new LogOptions(),
        };

    public static TestProxy Start(ProxyOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null) =>
        Start(options, new ProxyEnvironment(loggers ?? NullLoggerFactory.Instance) { Time = time ?? TimeProvider.System });

    public static TestProxy Start(ProxyOptions options, ProxyEnvironment environment)
    {
        var server = ProxyServer.TryStart(options, environment, out var error);
        return server is null ? throw new InvalidOperationException(error) : new TestProxy(server);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
