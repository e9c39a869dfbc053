using System.Net;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;

namespace Gozar.Tests.Infrastructure;

/// <summary>Shorthands for connecting the loopback Telegram-app stand-in in tests.</summary>
public static class Client
{
    public static Task<SelfTestClient> ConnectAsync(IPEndPoint proxy, byte[] key, ProtocolTag tag, short dc) =>
        SelfTestClient.ConnectAsync(proxy, key, tag, dc, tlsDomain: null, CancellationToken.None);

    public static Task<SelfTestClient> ConnectTlsAsync(IPEndPoint proxy, byte[] key, short dc = 2, string domain = TestProxy.Domain) =>
        SelfTestClient.ConnectAsync(proxy, key, ProtocolTag.PaddedIntermediate, dc, domain, CancellationToken.None);
}
