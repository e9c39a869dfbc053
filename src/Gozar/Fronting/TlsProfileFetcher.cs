using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.Protocol.FakeTls;
using Gozar.Upstream;

namespace Gozar.Fronting;

/// <summary>
/// Captures a real TLS site's answer to a Telegram ClientHello as a <see cref="TlsProfile"/> (spec §6.3): connects
/// once per sample, one connection at a time, sends a hello like current tdlib's (X25519MLKEM768 and x25519 shares,
/// SNI, ALPN h2) under a throwaway key, and reads the site's flight until it goes quiet waiting for our Finished,
/// which never comes: the connection is then closed. Only the operator's named host is contacted.
/// </summary>
public sealed class TlsProfileFetcher
{
    /// <summary>Longest time one sample may take, connect excluded.</summary>
    public static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Silence that ends a flight, at least: the site sends its flight in one burst and then waits for the client,
    /// so a quiet period of twice the time to its first byte (one round trip plus the site's work) ends it.
    /// </summary>
    private static readonly TimeSpan MinimumQuiet = TimeSpan.FromMilliseconds(250);

    private const int BufferLength = 64 * 1024;
    private const int ThrowawayKeyLength = 16;
    private const int SessionIdOffset = ClientHello.RandomOffset + ClientHello.RandomLength + 1;
    private const int SessionIdLength = 32;
    private const byte AlertRecordType = 0x15;
    private const int AlertDescriptionOffset = 6;

    private readonly TimeProvider _time;
    private readonly Connector _connector;

    public TlsProfileFetcher(TimeProvider time)
    {
        _time = time;
        _connector = new Connector(ConnectTimeout, IpPreference.PreferIpv4, time, System.Net.Dns.GetHostAddressesAsync);
    }

    /// <summary>Takes <paramref name="samples"/> answers of <paramref name="site"/> for <paramref name="serverName"/>.</summary>
    public async Task<TlsProfileFetchResult> FetchAsync(
        HostEndpoint site, string serverName, int samples, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var sampler = new TlsProfileSampler();
        for (var i = 0; i < samples; i++)
        {
            var problem = await SampleAsync(site, serverName, sampler, cancellation).ConfigureAwait(false);
            if (problem is not null)
            {
                return new TlsProfileFetchResult(null, $"sample {i + 1} of {samples}: {problem}");
            }
        }

        var source = string.Create(
            CultureInfo.InvariantCulture,
            $"{site}, SNI {serverName}, {samples} samples, {_time.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ}");
        return sampler.TryBuild(source, out var profile, out var disagreement)
            ? new TlsProfileFetchResult(profile, null)
            : new TlsProfileFetchResult(null, disagreement);
    }

    private async Task<string?> SampleAsync(HostEndpoint site, string serverName, TlsProfileSampler sampler, CancellationToken cancellation)
    {
        var connected = await _connector.ConnectAsync([site], cancellation).ConfigureAwait(false);
        if (connected.Socket is not { } socket)
        {
            return $"cannot connect to {site}: {Describe(connected.Failure)}";
        }

        using (socket)
        {
            var hello = BuildHello(serverName, _time.GetUtcNow().ToUnixTimeSeconds(), out var sessionId);
            await socket.SendAsync(hello, SocketFlags.None, cancellation).ConfigureAwait(false);
            var response = new byte[BufferLength];
            var read = await ReadFlightAsync(socket, response, sessionId, cancellation).ConfigureAwait(false);
            var status = sampler.Add(response.AsSpan(0, read), sessionId);
            return status == MaskSiteFlightStatus.Ok ? null : Explain(status, response.AsSpan(0, read));
        }
    }

    /// <summary>Reads until the bytes so far form a whole flight and the site then stays quiet, or it closes, or time is up.</summary>
    private async Task<int> ReadFlightAsync(Socket socket, byte[] response, byte[] sessionId, CancellationToken cancellation)
    {
        var started = _time.GetTimestamp();
        using var sampleTimer = new CancellationTokenSource(SampleTimeout, _time);
        using var sampleLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellation, sampleTimer.Token);
        var quiet = MinimumQuiet;
        var lengths = new int[TlsProfile.MaxEncryptedRecords];
        var read = 0;
        while (read < response.Length)
        {
            var status = TlsProfileSampler.Examine(response.AsSpan(0, read), sessionId, lengths, out _, out _);
            if (status is MaskSiteFlightStatus.NotTls or MaskSiteFlightStatus.Unsuitable)
            {
                break;
            }

            using var quietTimer = new CancellationTokenSource(status == MaskSiteFlightStatus.Ok ? quiet : Timeout.InfiniteTimeSpan, _time);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(sampleLimit.Token, quietTimer.Token);
            int received;
            try
            {
                received = await socket.ReceiveAsync(response.AsMemory(read), SocketFlags.None, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException)
            {
                break;
            }

            if (received == 0)
            {
                break;
            }

            if (read == 0)
            {
                var firstByte = _time.GetElapsedTime(started);
                quiet = firstByte * 2 > MinimumQuiet ? firstByte * 2 : MinimumQuiet;
            }

            read += received;
        }

        return read;
    }

    private static byte[] BuildHello(string serverName, long unixTime, out byte[] sessionId)
    {
        // Random bytes make valid x25519 shares (every u-coordinate is accepted) and the builder reduces the ML-KEM
        // key itself; the key only has to be unknown, the site cannot check it.
        var key = RandomNumberGenerator.GetBytes(ThrowawayKeyLength);
        var entropy = RandomNumberGenerator.GetBytes(ClientHelloBuilder.GetEntropyLength(ClientHelloShape.PostQuantum));
        var hello = new byte[ClientHelloBuilder.GetLength(ClientHelloShape.PostQuantum, serverName.Length, entropy)];
        ClientHelloBuilder.Build(key, serverName, unixTime, entropy, ClientHelloShape.PostQuantum, hello);
        CryptographicOperations.ZeroMemory(key);
        sessionId = hello.AsSpan(SessionIdOffset, SessionIdLength).ToArray();
        return hello;
    }

    private static string Explain(MaskSiteFlightStatus status, ReadOnlySpan<byte> response)
    {
        if (response.IsEmpty)
        {
            return "the site sent nothing";
        }

        if (response[0] == AlertRecordType && response.Length > AlertDescriptionOffset)
        {
            return $"the site answered with TLS alert {response[AlertDescriptionOffset]} (112 = unrecognized_name: check --sni; 70 = protocol_version: no TLS 1.3)";
        }

        return status switch
        {
            MaskSiteFlightStatus.NotTls => "the site's answer is not TLS",
            MaskSiteFlightStatus.NeedMoreData => $"the site stopped after {response.Length} bytes, in the middle of its flight",
            _ => "the site's answer is not a TLS 1.3 ServerHello, ChangeCipherSpec and encrypted records flight "
                + "(TLS 1.2 only, a HelloRetryRequest, or unexpected ServerHello extensions): it cannot be imitated",
        };
    }

    private static string Describe(ConnectFailure failure) => failure switch
    {
        ConnectFailure.DnsFailed => "the host name does not resolve",
        ConnectFailure.TimedOut => "timed out",
        _ => "refused or unreachable",
    };
}

/// <summary>A fetched profile, or why none could be made.</summary>
public sealed record TlsProfileFetchResult(TlsProfile? Profile, string? Problem);
