using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Protocol.MiddleProxy;

namespace Gozar.Upstream.Middle;

/// <summary>Spec §7.3: RPC_NONCE both ways in the clear, keys (§7.4), then RPC_HANDSHAKE both ways encrypted.</summary>
public sealed partial class MeConnection
{
    private const int HandshakeFrameBytes = 48;

    private async Task<string?> HandshakeAsync(MiddleSnapshot snapshot, CancellationToken cancellation)
    {
        var local = (IPEndPoint)_socket.LocalEndPoint!;
        var secret = snapshot.Secret;
        var clientNonce = new byte[RpcNonce.NonceLength];
        _environment.Random.Fill(clientNonce);
        var cryptoTime = (uint)_environment.Time.GetUtcNow().ToUnixTimeSeconds();
        var started = _environment.Time.GetTimestamp();

        var nonceFrame = new byte[RpcFrame.Overhead + RpcNonce.Length];
        RpcNonce.Write(nonceFrame.AsSpan(RpcFrame.HeaderLength), secret, cryptoTime, clientNonce);
        RpcFrame.Seal(nonceFrame, RpcNonce.Length, RpcFrame.NonceSequence, RpcChecksum.Crc32);
        await SendRawAsync(nonceFrame, cancellation).ConfigureAwait(false);

        var (status, payload) = await ReadHandshakeFrameAsync(RpcFrame.NonceSequence, cancellation).ConfigureAwait(false);
        if (status != RpcFrameStatus.Frame)
        {
            return $"nonce: {status}";
        }

        var nonceStatus = RpcNonce.Read(payload, secret, out var serverTime, out var serverNonceSpan);
        if (nonceStatus != RpcNonceStatus.Ok)
        {
            return $"nonce: {nonceStatus}";
        }

        // The official proxy refuses a middle-end whose nonce time is further than 30 s from its own (§7.3).
        if (Math.Abs((long)serverTime - cryptoTime) > (long)_environment.Options.ClockSkew.TotalSeconds)
        {
            return $"clocks differ by {(long)serverTime - cryptoTime} s (check NTP)";
        }

        _environment.Metrics.MeLatency(Cluster, _environment.Time.GetElapsedTime(started));
        var serverNonce = serverNonceSpan.ToArray();
        ConsumeHandshakeFrame();
        SkipPlainPadding();
        DeriveCiphers(snapshot, local, serverNonce, clientNonce, cryptoTime);
        DecryptReceived();

        var sender = OurProcessId(local);
        var peer = new RpcProcessId(StoredIpv4(Address.Address), (ushort)Address.Port, 0, 0);
        var handshake = new byte[HandshakeFrameBytes];
        RpcHandshake.Write(handshake.AsSpan(RpcFrame.HeaderLength), RpcHandshake.Crc32CFlag, sender, peer);
        var length = RpcFrame.Seal(handshake, RpcHandshake.Length, RpcFrame.HandshakeSequence, RpcChecksum.Crc32);
        var padded = RpcFrame.Pad(handshake, length);
        _encrypt!.Transform(handshake, 0, padded);
        await SendRawAsync(handshake.AsMemory(0, padded), cancellation).ConfigureAwait(false);

        (status, payload) = await ReadHandshakeFrameAsync(RpcFrame.HandshakeSequence, cancellation).ConfigureAwait(false);
        if (status != RpcFrameStatus.Frame)
        {
            return $"handshake: {status}";
        }

        var answer = RpcHandshake.Read(payload, out var flags, out _, out var ourCopy, out var error);
        ConsumeHandshakeFrame();
        if (answer == RpcHandshakeStatus.Refused)
        {
            return $"handshake refused with error {error}";
        }

        if (answer != RpcHandshakeStatus.Ok)
        {
            return $"handshake: {answer}";
        }

        if (!sender.IsMatchedBy(ourCopy))
        {
            return "handshake: the middle-end's peer pid is not ours";
        }

        // Spec §7.2: CRC32C from the first data frame on, both ways, only when we offered it and the ME granted it.
        _checksum = (flags & RpcHandshake.Crc32CFlag) != 0 ? RpcChecksum.Crc32C : RpcChecksum.Crc32;
        return null;
    }

    private void DeriveCiphers(MiddleSnapshot snapshot, IPEndPoint local, byte[] serverNonce, byte[] clientNonce, uint cryptoTime)
    {
        var ipv6 = Address.AddressFamily == AddressFamily.InterNetworkV6;
        var ourAddress = !ipv6 && _environment.Options.NatIp is { } nat ? nat : local.Address;
        var input = new MiddleKeyInput
        {
            ServerNonce = serverNonce,
            ClientNonce = clientNonce,
            CryptoTime = cryptoTime,
            ServerAddress = Address.Address.GetAddressBytes(),
            ServerPort = (ushort)Address.Port,
            ClientAddress = ourAddress.GetAddressBytes(),
            ClientPort = (ushort)local.Port,
            Secret = snapshot.Secret,
        };
        Span<byte> key = stackalloc byte[MiddleKeyDerivation.KeyLength];
        Span<byte> iv = stackalloc byte[MiddleKeyDerivation.IvLength];
        MiddleKeyDerivation.Derive(input, MiddlePurpose.Client, key, iv);
        _encrypt = CbcStream.CreateEncryptor(key, iv);
        MiddleKeyDerivation.Derive(input, MiddlePurpose.Server, key, iv);
        _decrypt = CbcStream.CreateDecryptor(key, iv);
        CryptographicOperations.ZeroMemory(key);
    }

    /// <summary>
    /// Our sender_pid as the official proxy fills it (§7.3): the local IPv4 of the ME connection (0 for loopback or
    /// IPv6), the proxy's fixed port, its process id and start time.
    /// </summary>
    private RpcProcessId OurProcessId(IPEndPoint local) =>
        new(StoredIpv4(local.Address), _environment.ProcessPort, (ushort)Environment.ProcessId, _environment.StartTime);

    /// <summary>An IPv4 as the pid fields hold it; 127.0.0.1 and IPv6 are never stored (§7.3).</summary>
    private static uint StoredIpv4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address)
            ? RpcProcessId.IpFromNetworkBytes(address.GetAddressBytes())
            : 0;

    private async ValueTask SendRawAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellation).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
