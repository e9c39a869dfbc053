using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Protocol.FakeTls;

namespace Gozar.Load.Scenarios;

/// <summary>
/// The junk side of a soak: connections that must not authenticate and should end at the mask site. Each comes from
/// its own random address in 127.0.0.0/8, so the proxy's per-address state (the rate limiter's buckets) keeps
/// growing and must be swept. The reply tells where the bytes went: the mask's answer to what was sent, or a quiet
/// close when nothing (or too little to judge) was sent.
/// </summary>
public static class SoakProbes
{
    /// <summary>A probe that neither gets a reply nor a close by then is an anomaly (the proxy held it).</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    private const int MinGarbage = 64;
    private const int MaxGarbage = 1500;
    private const int MaxReply = 4096;

    private static readonly byte[] HttpRequest =
        "GET / HTTP/1.1\r\nHost: bench.example\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"u8.ToArray();

    public static async Task ProbeAsync(IPEndPoint proxy, ProbeKind kind, string domain, int seed, SoakCounters counters)
    {
        var random = new Random(seed);
        var payload = Payload(kind, domain, random);
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var started = Stopwatch.GetTimestamp();
        try
        {
            socket.Bind(new IPEndPoint(new IPAddress([127, (byte)random.Next(1, 255), (byte)random.Next(256), (byte)random.Next(1, 255)]), 0));
            await socket.ConnectAsync(proxy, timeout.Token).ConfigureAwait(false);
            if (payload.Length > 0)
            {
                await socket.SendAsync(payload, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }

            var reply = await ReadToEndAsync(socket, timeout.Token).ConfigureAwait(false);
            var expected = payload.Length == 0 ? [] : MaskStandIn.ReplyFor(payload[0]);
            var asExpected = reply.AsSpan().SequenceEqual(expected)
                || (kind == ProbeKind.OneByte && reply.Length == 0); // the mask may have closed before the byte reached it
            counters.Probe(kind, asExpected, asExpected ? "" : $"got {reply.Length} bytes {Convert.ToHexString(reply.AsSpan(0, Math.Min(reply.Length, 16)))} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");
        }
        catch (OperationCanceledException)
        {
            counters.Probe(kind, asExpected: false, $"neither answered nor closed within {ProbeTimeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            counters.Probe(kind, asExpected: false, $"{e.SocketErrorCode} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");
        }
    }

    private static byte[] Payload(ProbeKind kind, string domain, Random random)
    {
        switch (kind)
        {
            case ProbeKind.Silence:
                return [];
            case ProbeKind.OneByte:
                return [(byte)random.Next(256)];
            case ProbeKind.Garbage:
                var garbage = new byte[random.Next(MinGarbage, MaxGarbage + 1)];
                random.NextBytes(garbage);
                return garbage;
            case ProbeKind.HttpRequest:
                return HttpRequest;
            default:
                // A well-formed hello signed with a key the proxy does not know: it fails only on its HMAC.
                var wrongKey = RandomNumberGenerator.GetBytes(16);
                var entropy = RandomNumberGenerator.GetBytes(ClientHelloBuilder.GetEntropyLength(ClientHelloShape.Classic));
                var hello = new byte[ClientHelloBuilder.GetLength(ClientHelloShape.Classic, domain.Length, entropy)];
                ClientHelloBuilder.Build(wrongKey, domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), entropy, ClientHelloShape.Classic, hello);
                return hello;
        }
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellation)
    {
        var buffer = new byte[MaxReply];
        var length = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellation).ConfigureAwait(false);
            if (received == 0)
            {
                return buffer[..length];
            }

            length += received;
            if (length == buffer.Length)
            {
                return buffer;
            }
        }
    }
}
