using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Load.Dc;
using Gozar.Load.Measure;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;
using Gozar.Protocol.Framing;
using Gozar.Protocol.MiddleProxy;
using Gozar.Protocol.Obfuscation;
using Gozar.Relay;
using Gozar.Sessions;
using Gozar.Upstream.Middle;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.Load.Scenarios;

/// <summary>
/// Bytes allocated per packet on the middle-proxy RPC path (issue 8): a real <see cref="MiddleRelay"/> and
/// <see cref="MeConnection"/> between loopback sockets, against a <see cref="QuietMiddleEnd"/> that echoes every
/// request. Each packet goes client -> RPC_PROXY_REQ (CBC, CRC32C) -> ME -> RPC_PROXY_ANS -> the client's framing.
/// The client side is fed and drained by threads that allocate nothing once started.
/// </summary>
public static class MiddleAllocations
{
    private const int PacketBytes = 1024;
    private const int FramesPerSend = 8;
    private const int WarmUpPackets = 20_000;
    private const int MeasuredPackets = 50_000;
    private const int IntermediateHeader = 4;

    /// <summary>
    /// Packets in flight at most, as a client's TCP window bounds them. Without a bound the feeder fills every queue on
    /// the way, each queued frame holds a pooled buffer, and past upstream's 1024 arrays of a size the pool allocates.
    /// </summary>
    private const int WindowPackets = 256;

    /// <summary>Far above what the drain ever lags, so the client is never closed as slow.</summary>
    private const int ClientBudget = 256 * 1024 * 1024;

    public static IEnumerable<ScenarioResult> Rows()
    {
        yield return Row("MiddleRelay", PerPacket(tls: false), "B per 1 KiB packet, both ways through a fake ME, intermediate");
        yield return Row("MiddleRelay-tls", PerPacket(tls: true), "the same, fake-TLS records both ways");
    }

    private static ScenarioResult Row(string scenario, double value, string note) => new("alloc", scenario, value, "B/packet", 0, 0, 0, 0, 0, note);

    private static double PerPacket(bool tls)
    {
        var secret = RandomNumberGenerator.GetBytes(128);
        secret[0] |= 1;
        using var me = new QuietMiddleEnd(secret);
        me.Start();
        using var metrics = new GozarMetrics();
        var environment = new MiddleEnvironment(
            new MiddleOptions { Keepalive = TimeSpan.Zero }, TimeProvider.System, SecureRandomSource.Instance, BufferPool.Shared, metrics,
            NullLogger.Instance);
        ProxyConfigFile.TryParse($"proxy_for 2 127.0.0.1:{me.EndPoint.Port};", out var list);
        var meSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        meSocket.Connect(me.EndPoint);
        var (connection, failure) = MeConnection.OpenAsync(meSocket, 2, new MiddleSnapshot(secret, list, null), environment, CancellationToken.None)
            .GetAwaiter().GetResult();
        if (connection is null)
        {
            throw new InvalidOperationException($"fake ME handshake failed: {failure}");
        }

        var key = RandomNumberGenerator.GetBytes(AesCtr.KeySize);
        var iv = RandomNumberGenerator.GetBytes(AesCtr.IvSize);
        using var clientEncrypt = new AesCtr(key, iv);
        using var proxyDecrypt = new AesCtr(key, iv);
        key[0] ^= 1;
        using var proxyEncrypt = new AesCtr(key, iv);
        var (feed, proxySide) = Pair();
        using (feed)
        {
            var link = connection.Register(ClientBudget)!;
            var relay = new MiddleRelay(
                proxySide, connection, link, new ClientInit(0, ProtocolTag.Intermediate, 2, proxyDecrypt, proxyEncrypt),
                tls ? new TlsRecordReader() : null, ReadOnlyMemory<byte>.Empty,
                new MiddleRequestAddresses(new byte[16], 1, new byte[16], 2), null, new SessionActivity(TimeProvider.System), BufferPool.Shared,
                SecureRandomSource.Instance, 64 * 1024);
            var running = relay.RunAsync();

            long drained = 0;
            var drain = new Thread(() =>
            {
                var sink = new byte[64 * 1024];
                int read;
                while ((read = feed.Receive(sink)) > 0)
                {
                    Volatile.Write(ref drained, Volatile.Read(ref drained) + read);
                }
            });
            drain.Start();

            var perPacketDown = IntermediateHeader + PacketBytes + (tls ? TlsRecordWriter.HeaderLength : 0);
            var sender = new Feeder(feed, clientEncrypt, tls, () => Volatile.Read(ref drained) / perPacketDown);
            sender.Send(WarmUpPackets);
            WaitFor(ref drained, (long)WarmUpPackets * perPacketDown);
            Thread.Sleep(200);

            var before = GC.GetTotalAllocatedBytes(precise: true);
            sender.Send(MeasuredPackets);
            WaitFor(ref drained, (long)(WarmUpPackets + MeasuredPackets) * perPacketDown);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

            feed.Shutdown(SocketShutdown.Send);
            running.GetAwaiter().GetResult();
            drain.Join();
            connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return allocated / (double)MeasuredPackets;
        }
    }

    private static void WaitFor(ref long drained, long bytes)
    {
        var deadline = Environment.TickCount64 + 60_000;
        while (Volatile.Read(ref drained) < bytes)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"only {Volatile.Read(ref drained)} of {bytes} bytes came back through the middle relay");
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>Intermediate frames of 1 KiB packets, encrypted as the client would, in one fake-TLS record per send when asked.</summary>
    private sealed class Feeder
    {
        private readonly Socket _socket;
        private readonly AesCtr _encrypt;
        private readonly bool _tls;
        private readonly Func<long> _answered;
        private readonly byte[] _plain = new byte[FramesPerSend * (IntermediateHeader + PacketBytes)];
        private readonly byte[] _wire;

        private long _sent;

        public Feeder(Socket socket, AesCtr encrypt, bool tls, Func<long> answered)
        {
            _answered = answered;
            _socket = socket;
            _encrypt = encrypt;
            _tls = tls;
            _wire = new byte[TlsRecordWriter.HeaderLength + _plain.Length];
            for (var i = 0; i < FramesPerSend; i++)
            {
                var frame = _plain.AsSpan(i * (IntermediateHeader + PacketBytes));
                BitConverter.TryWriteBytes(frame, PacketBytes);
                RandomNumberGenerator.Fill(frame.Slice(IntermediateHeader, PacketBytes));

                // auth_key_id not zero: an encrypted packet, as nearly all are.
                frame[IntermediateHeader] |= 1;
            }
        }

        public void Send(int packets)
        {
            for (var sent = 0; sent < packets; sent += FramesPerSend)
            {
                while (_sent - _answered() > WindowPackets)
                {
                    Thread.Yield();
                }

                _sent += FramesPerSend;
                var offset = _tls ? TlsRecordWriter.HeaderLength : 0;
                _encrypt.Transform(_plain, _wire.AsSpan(offset));
                if (_tls)
                {
                    TlsRecordWriter.BeginRecord(_plain.Length, _wire);
                }

                _socket.Send(_wire.AsSpan(0, offset + _plain.Length));
            }
        }
    }

    private static (Socket Client, Socket Server) Pair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        var server = listener.Accept();
        server.NoDelay = true;
        return (client, server);
    }
}
