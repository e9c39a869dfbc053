using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;

namespace Gozar.Tests.Infrastructure;

/// <summary>A fake middle-end, the middle-end files naming it, and a real Gozar in middle mode, all on loopback.</summary>
public sealed class MiddleHarness : IAsyncDisposable
{
    public static readonly byte[] AdTag = Convert.FromHexString("dcbe8f1493fa4cd9ab300891c0b5b326");
    public static readonly byte[] BobAdTag = Convert.FromHexString("00112233445566778899aabbccddeeff");

    private readonly EchoDc _unusedDc = new();

    /// <param name="bridgeDcPort">A fake DC's port: the middle-end carries the clients' packets there instead of echoing them.</param>
    public MiddleHarness(byte[]? secret = null, bool grantCrc32C = true, IPAddress? natIp = null, int? bridgeDcPort = null)
    {
        Secret = secret ?? NewSecret();
        Me = new FakeMiddleEnd(Secret, grantCrc32C, natIp, bridgeDcPort);
        Directory = Path.Combine(Path.GetTempPath(), "gozar-middle-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllBytes(SecretFile, Secret);
        WriteConfig($"default 2;\nproxy_for 2 127.0.0.1:{Me.Port};\nproxy_for -2 127.0.0.1:{Me.Port};\n");
    }

    public byte[] Secret { get; }
    public FakeMiddleEnd Me { get; }
    public string Directory { get; }
    public string SecretFile => Path.Combine(Directory, "proxy-secret");
    public string ConfigFile => Path.Combine(Directory, "proxy-multi.conf");

    public static byte[] NewSecret()
    {
        var secret = RandomNumberGenerator.GetBytes(128);
        secret[0] |= 1;
        return secret;
    }

    public void WriteConfig(string text) => File.WriteAllText(ConfigFile, text);

    /// <summary>Options for a middle-mode proxy with alice and bob (bob with <paramref name="bobAdTag"/>).</summary>
    public ProxyOptions Options(byte[]? adTag = null, byte[]? bobAdTag = null, Func<MiddleOptions, MiddleOptions>? middle = null)
    {
        var options = TestProxy.Options(_unusedDc);
        var middleOptions = new MiddleOptions
        {
            ProxySecretFile = SecretFile,
            ProxyConfigFile = ConfigFile,
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            Keepalive = TimeSpan.Zero,
            ConnectionsPerDc = 1,
        };
        return options with
        {
            Users = [new UserOptions("alice", TestProxy.AliceKey), new UserOptions("bob", TestProxy.BobKey, bobAdTag)],
            Upstream = options.Upstream with
            {
                Mode = UpstreamMode.Middle,
                AdTag = adTag,
                Middle = middle is null ? middleOptions : middle(middleOptions),
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Me.DisposeAsync();
        await _unusedDc.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>A client's packets framed and read back the way spec §3 says.</summary>
public static class MiddleFrames
{
    /// <summary>A packet that looks encrypted (auth_key_id not zero), with a recognisable body.</summary>
    public static byte[] Packet(int length)
    {
        var packet = RandomNumberGenerator.GetBytes(length);
        packet[0] |= 1;
        return packet;
    }

    /// <param name="paddingLength">For dd: padding bytes; null picks 0..3, which the receiver's <c>n &amp; ~3</c> removes whole.</param>
    public static byte[] Frame(ProtocolTag tag, byte[] packet, bool quickAck = false, int? paddingLength = null)
    {
        var padding = tag == ProtocolTag.PaddedIntermediate
            ? RandomNumberGenerator.GetBytes(paddingLength ?? RandomNumberGenerator.GetInt32(0, 4))
            : [];
        var frame = new byte[FrameEncoder.MaxHeaderLength + packet.Length + padding.Length];
        var length = FrameEncoder.WriteFrame(tag, FrameDirection.ClientToServer, packet, padding, quickAck, frame);
        return frame[..length];
    }

    public static Task SendPacketAsync(this SelfTestClient client, ProtocolTag tag, byte[] packet, bool quickAck = false) =>
        client.SendAsync(Frame(tag, packet, quickAck), default);

    /// <summary>Reads one framed packet from the proxy; padding (dd) is dropped as a client does.</summary>
    public static async Task<byte[]> ReadPacketAsync(this SelfTestClient client, ProtocolTag tag)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int length;
        if (tag == ProtocolTag.Abridged)
        {
            var first = (await client.ReceiveAsync(1, timeout.Token))[0];
            length = first < 0x7f ? first * 4 : ReadWords(await client.ReceiveAsync(3, timeout.Token)) * 4;
        }
        else
        {
            length = BinaryPrimitives.ReadInt32LittleEndian(await client.ReceiveAsync(4, timeout.Token));
        }

        var body = await client.ReceiveAsync(length, timeout.Token);
        return body[..(length & ~3)];
    }

    public static async Task<byte[]> ReadRawAsync(this SelfTestClient client, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await client.ReceiveAsync(count, timeout.Token);
    }

    private static int ReadWords(byte[] bytes) => bytes[0] | (bytes[1] << 8) | (bytes[2] << 16);
}
