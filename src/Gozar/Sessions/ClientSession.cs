using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Fronting;
using Gozar.Listening;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;
using Gozar.Relay;
using Gozar.Upstream;
using Microsoft.Extensions.Logging;

namespace Gozar.Sessions;

/// <summary>
/// One client connection, top to bottom: handshake (fake-TLS or obfuscated2) → replay check → user → DC connect →
/// relay; anything that does not authenticate is relayed to the mask host with every byte it sent. Ends with exactly
/// one <see cref="SessionOutcome"/>, logged once.
/// </summary>
public sealed partial class ClientSession : IPumpOwner, IValueTaskSource<bool>
{
    // A ClientHello record (16 KiB + header), the records that follow it with the init, and slack for fragments.
    private const int HandshakeCapacity = 40 * 1024;
    private const int NoAbort = -1;
    private const int ReplayDigestOffset = 8;
    private const int DrainBufferBytes = 4096;

    private readonly Socket _client;

    // Every operation on the client's and the DC's sockets goes through these two: the client's receives (handshake,
    // then the upstream pump, which also sends to the DC or mask site), and the connect, the sends to the client and the
    // downstream pump's receives from the DC.
    private readonly SocketLane _clientLane = new();
    private readonly SocketLane _upstreamLane = new();
    private readonly SessionContext _context;

    // Its connection and handshake slots (counted by every Admission alike, across reloads) and its rate token.
    private readonly Admission _admission;
    private readonly ProxyOptions _options;
    private Socket? _upstream;
    private int _abortReason = NoAbort;
    private readonly bool _overRate;
    private readonly ProxyHeaderRule _proxyHeader;
    private string _remote = "-";
    private int _handshakeEnded;

    private HandshakeVerdict _verdict = HandshakeVerdict.Truncated;
    private bool _verdictCounted;
    private ClientMode _mode = ClientMode.Unknown;
    private string _user = GozarMetrics.NoUser;
    private short? _dc;
    private long _bytesUp;
    private long _bytesDown;

    /// <summary>Handshake bytes already sent to the preconnected mask site while the session was still deciding.</summary>
    private int _mirroredBytes;

    // The relay, once started. RunAsync awaits it itself, so that the handshake's and the connect's state machines
    // (and what they held: the init, the pending bytes, the route) are gone while a connection idles.
    private Pump? _upPump;
    private Pump? _downPump;
    private bool _relayStarted;
    private int _pumpsRunning;
    private PumpEnd _upEnd = PumpEnd.EndOfStream;
    private PumpEnd _downEnd = PumpEnd.EndOfStream;
    private SessionOutcome _relayNormalOutcome;

    // Ends the wait for the mask site's connection when the session is aborted (idle sweep, user removal, stop) or the
    // proxy stops: a site that does not answer would otherwise hold the session, and its slot, for connect_timeout.
    // Masked sessions only, so a relayed connection allocates nothing for it.
    private CancellationTokenSource? _maskConnectWait;

    // A mask relay's client-to-site direction, which watches for a reset from a site that has closed; null otherwise.
    private MaskForwardProcessor? _maskForward;

    /// <summary>Completes when the last running pump ended.</summary>
    private ManualResetValueTaskSourceCore<bool> _relayEnded;

    // The relay's ciphers, wiped when the session ends; null where the mode needs none.
    private AesCtr? _fromClientCipher;
    private AesCtr? _toDcCipher;
    private AesCtr? _fromDcCipher;
    private AesCtr? _toClientCipher;

    /// <param name="overRate">The client's address is over its connection rate: masked without being looked at.</param>
    /// <param name="proxyHeader">Whether the connection starts with a PROXY protocol header naming the real client.</param>
    public ClientSession(
        Socket client, SessionContext context, bool overRate = false, ProxyHeaderRule proxyHeader = ProxyHeaderRule.None)
    {
        _admission = context.Admission;
        _overRate = overRate;
        _proxyHeader = proxyHeader;
        _client = client;
        _context = context;
        _options = context.Options;
        Activity = new SessionActivity(context.Time);
        _middleEntered = context.Middle?.TryEnter() ?? false;
    }

    public SessionActivity Activity { get; }

    /// <summary>The authenticated user's name, or <see cref="GozarMetrics.NoUser"/> before (and without) authentication.</summary>
    public string User => Volatile.Read(ref _user);

    public ClientMode Mode => _mode;

    /// <summary>Still authenticating: the handshake slot is not given back yet.</summary>
    public bool InHandshake => Volatile.Read(ref _handshakeEnded) == 0;

    /// <summary>Ends the session from outside (idle sweep, shutdown) by closing its sockets.</summary>
    public void Abort(SessionOutcome reason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, (int)reason, NoAbort) == NoAbort)
        {
            CloseSockets();
            Volatile.Read(ref _middleRelay)?.Abort();
            CancelMaskConnectWait();
        }
    }

    private void CancelMaskConnectWait()
    {
        try
        {
            Volatile.Read(ref _maskConnectWait)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The wait ended meanwhile.
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var id = _context.Registry.Add(this);
        var started = _context.Time.GetTimestamp();
        _remote = _options.Log.ClientIps ? DescribeRemote() : "-";
        var outcome = SessionOutcome.ClientError;
        try
        {
            outcome = await RunCoreAsync(stopping).ConfigureAwait(false);
            if (_relayStarted)
            {
                await new ValueTask<bool>(this, _relayEnded.Version).ConfigureAwait(false);
                outcome = EndRelay();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            outcome = stopping.IsCancellationRequested ? SessionOutcome.Shutdown : SessionOutcome.ClientError;
        }
        catch (Exception e)
        {
            Log.SessionCrashed(_context.Logger, e);
        }
        finally
        {
            // A handshake a failure ended (the client reset mid-hello, went silent after the flight) still has one verdict.
            if (!_verdictCounted)
            {
                CountVerdict(_verdict);
            }

            EndHandshake();
            CloseSockets();
            _clientLane.Dispose();
            _upstreamLane.Dispose();
            _maskForward?.Dispose();
            _fromClientCipher?.Dispose();
            _toDcCipher?.Dispose();
            _fromDcCipher?.Dispose();
            _toClientCipher?.Dispose();
            var aborted = Volatile.Read(ref _abortReason);
            if (aborted != NoAbort)
            {
                outcome = (SessionOutcome)aborted;
            }

            _context.Metrics.SessionFinished(_user, outcome, _mode, _bytesUp, _bytesDown);
            // The line's arguments are strings made here (under Native AOT an enum's name goes through reflection):
            // only when the line is written.
            if (_context.Logger.IsEnabled(LogLevel.Debug))
            {
                Log.SessionFinished(
                    _context.Logger, outcome.ToString(), _user, _mode.ToString(), _verdict.ToString(),
                    _dc?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", _bytesUp, _bytesDown,
                    (long)_context.Time.GetElapsedTime(started).TotalMilliseconds, _remote);
            }

            ReleaseUser();
            _admission.ConnectionEnded();
            _context.Registry.Remove(id);
            if (_middleEntered)
            {
                _context.Middle!.Exit();
            }
        }
    }

    /// <summary>Makes the client's close a reset (SO_LINGER 0).</summary>
    private void ResetClient()
    {
        try
        {
            _client.LingerState = new LingerOption(true, 0);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The mask site reset bytes the client sent after the site's FIN: the client gets its reset.</summary>
    private void ResetFromMaskSite()
    {
        ResetClient();
        CloseSockets();
    }

    /// <summary>Counts what the handshake turned out to be; once per session.</summary>
    private void CountVerdict(HandshakeVerdict verdict)
    {
        _verdictCounted = true;
        _context.Metrics.Handshake(verdict);
    }

    /// <summary>Gives back this session's handshake slot (once), so the listeners may accept again.</summary>
    private void EndHandshake()
    {
        if (Interlocked.Exchange(ref _handshakeEnded, 1) == 0)
        {
            // The idle sweep leaves handshakes to their deadline; its clock starts with the relay or the masking.
            Activity.Touch();
            _admission.HandshakeEnded();
        }
    }

    private async Task<SessionOutcome> RunCoreAsync(CancellationToken stopping)
    {
        if (_overRate || _proxyHeader == ProxyHeaderRule.Untrusted)
        {
            _verdict = _overRate ? HandshakeVerdict.RateLimited : HandshakeVerdict.UntrustedProxySource;
            CountVerdict(_verdict);
            EndHandshake();
            return await MaskAsync(ReadOnlyMemory<byte>.Empty, clientEnded: false, preconnect: null, stopping).ConfigureAwait(false);
        }

        // The handshake's buffer, deadline timer and mask preconnect belong to HandshakeAsync's state machine, which is
        // gone once it returns: an idle relayed connection keeps only what the relay needs.
        var (outcome, authentication) = await HandshakeAsync(stopping).ConfigureAwait(false);
        if (authentication is null)
        {
            return outcome;
        }

        _verdict = HandshakeVerdict.Authenticated;
        return _context.Middle is { } middle
            ? await RelayToMiddleAsync(authentication, middle, stopping).ConfigureAwait(false)
            : await RelayToDcAsync(authentication, stopping).ConfigureAwait(false);
    }

    /// <summary>Authenticates the client, or relays it to the mask host and returns how that ended.</summary>
    private async Task<(SessionOutcome Outcome, Authentication? Authentication)> HandshakeAsync(CancellationToken stopping)
    {
        using var handshake = new HandshakeBuffer(_client, _clientLane, HandshakeCapacity, _context.Buffers);
        if (_proxyHeader == ProxyHeaderRule.Read && await AdmitProxiedAsync(handshake, stopping).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        DeferredPreconnect? preconnect = null;
        Authentication? authentication;
        try
        {
            // The deadline timer ends with the handshake, not with a masked or relayed connection that follows.
            {
                // A header that took the whole handshake time (its last bytes came in before the deadline's timer ran)
                // leaves none: a negative delay would be refused, or read as infinite.
                var left = _options.Timeouts.Handshake - _proxyHeaderTime;
                using var bounds = StartDeadline(left > TimeSpan.Zero ? left : TimeSpan.Zero, stopping, out var onStopping);
                using var stoppingRegistration = onStopping;
                preconnect = CanMask ? new DeferredPreconnect(_context, bounds.Token, handshake) : null;
                handshake.WaitHook = preconnect;
                while (true)
                {
                    try
                    {
                        authentication = await AuthenticateAsync(handshake, preconnect, bounds.Token).ConfigureAwait(false);
                        break;
                    }
                    catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                    {
                        if (_flightSent)
                        {
                            // Silent after the server's flight: a client gone quiet, counted when the session ends.
                            _verdict = HandshakeVerdict.Timeout;
                            return (SessionOutcome.ClientError, null);
                        }

                        if (!bounds.IsCancellationRequested && preconnect is not null && preconnect.TakeConnected())
                        {
                            // The site's connection opened while the client kept the session waiting mid-request: the
                            // site gets what the client sent so far now, as it would have had it directly, so that what
                            // its own timer does (read it and close, or answer) is done to those bytes, not to silence.
                            try
                            {
                                await MirrorToMaskAsync(handshake, preconnect, bounds.Token).ConfigureAwait(false);
                                continue;
                            }
                            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                            {
                                // The deadline came mid-send: decided below like any other deadline.
                            }
                        }

                        if (preconnect?.Current is not null && !bounds.IsCancellationRequested && handshake.ReadAvailable() is > 0 and var unseen)
                        {
                            // The mask site closed (or answered) before this session read bytes the client had already
                            // sent: it judged a silence that was none, which happens when the proxy is kept from the CPU
                            // for longer than the site's idle timer. Decide again with those bytes; should they fail, a
                            // fresh connection to the site gets all of them.
                            Log.MaskClosedBeforeClientRead(_context.Logger, unseen);
                            await preconnect.ReplaceAsync().ConfigureAwait(false);
                            _mirroredBytes = 0;
                            continue;
                        }

                        // The deadline passed, or the mask site gave up on the silent client first: either way the mask
                        // site decides from here, with whatever the client sent.
                        _verdict = HandshakeVerdict.Timeout;
                        authentication = null;
                        break;
                    }
                }
            }

            CountVerdict(authentication is null ? _verdict : HandshakeVerdict.Authenticated);
            EndHandshake();
            if (authentication is not null && _admission.LimitsRate)
            {
                _admission.Authenticated(RateSource());
            }

            if (authentication is null)
            {
                if (_flightSent)
                {
                    return (SessionOutcome.ClientError, null);
                }

                if (_rejectWithAlert)
                {
                    await SendAllAsync(_upstreamLane, _client, UnrecognizedNameAlert).ConfigureAwait(false);
                    return (SessionOutcome.Masked, null);
                }

                TakeRestOfBurst(handshake);
                return (await MaskAsync(handshake.Memory, handshake.EndOfStream, preconnect?.Current, stopping).ConfigureAwait(false), null);
            }
        }
        finally
        {
            if (preconnect is not null)
            {
                await preconnect.DisposeAsync().ConfigureAwait(false);
            }
        }

        return (SessionOutcome.Relayed, authentication);
    }

    /// <summary>
    /// The rest of a burst the first read did not take (it reads 4 KiB) goes to the site with it, in one piece as it
    /// came: a site that reads what is there and closes would otherwise have read only that first part, and closed with a
    /// FIN where the whole burst, sent to it directly, is reset.
    /// </summary>
    private static void TakeRestOfBurst(HandshakeBuffer handshake)
    {
        if (!handshake.EndOfStream)
        {
            handshake.ReadAvailable();
        }
    }

    private static readonly Action<object?> CancelSource = static source => ((CancellationTokenSource)source!).Cancel();

    /// <summary>
    /// A source cancelled when <paramref name="timeout"/> passes or the proxy stops: one source and a registration on
    /// <paramref name="stopping"/>, where a linked source would be a second one. Dispose the registration first.
    /// </summary>
    private CancellationTokenSource StartDeadline(TimeSpan timeout, CancellationToken stopping, out CancellationTokenRegistration onStopping)
    {
        var deadline = new CancellationTokenSource(timeout, _context.Time);
        onStopping = stopping.UnsafeRegister(CancelSource, deadline);
        return deadline;
    }

    /// <summary>Without TLS mode and a domain there is no mask host: bad clients are then read and ignored.</summary>
    private bool CanMask => _options.Tls.MaskHost.Port != 0;

    /// <param name="preconnect">Ends the waits for the client's bytes also when the mask site gives up first; null without a mask host.</param>
    /// <param name="cancellation">The handshake's deadline and the proxy's shutdown.</param>
    private async ValueTask<Authentication?> AuthenticateAsync(
        HandshakeBuffer handshake, DeferredPreconnect? preconnect, CancellationToken cancellation)
    {
        if (!await handshake.FillAsync(1, cancellation).ConfigureAwait(false))
        {
            _verdict = HandshakeVerdict.Truncated;
            return null;
        }

        if (_options.Modes.Tls && await StartsLikeTlsAsync(handshake, preconnect, cancellation).ConfigureAwait(false))
        {
            _mode = ClientMode.Tls;
            return await AuthenticateTlsAsync(handshake, preconnect, cancellation).ConfigureAwait(false);
        }

        if (!_options.Modes.Classic && !_options.Modes.Secure)
        {
            _verdict = _options.Modes.Tls ? HandshakeVerdict.NotTls : HandshakeVerdict.DisabledMode;
            return null;
        }

        return await AuthenticateObfuscatedAsync(handshake, preconnect, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Spec §10 step 2. One obfuscated2 init in 256 starts with 0x16, so with classic or secure mode also on the first
    /// byte alone would send those clients down the TLS path: look at the record version and the handshake type too
    /// (clients avoid only 16 03 01 02, §2.2, so without the type byte about one init in 2^23 would be masked). With only
    /// TLS on, anything starting 0x16 is judged (and masked) as a TLS record, as the mask site would.
    /// </summary>
    private async ValueTask<bool> StartsLikeTlsAsync(
        HandshakeBuffer handshake, DeferredPreconnect? preconnect, CancellationToken cancellation)
    {
        if (handshake.Data[0] != TlsHandshakeRecordType)
        {
            return false;
        }

        if (!_options.Modes.Classic && !_options.Modes.Secure)
        {
            return true;
        }

        while (handshake.Count <= HandshakeTypeOffset)
        {
            if (handshake.Count >= TlsRecordPrefixLength && !StartsWithTlsVersion(handshake.Data))
            {
                return false;
            }

            // A prober that stops inside the record header gets what the site makes of those bytes, at once (a bad
            // version or an oversized length is answered by the site as soon as it has the header).
            await MirrorToMaskAsync(handshake, preconnect, cancellation).ConfigureAwait(false);
            if (!await handshake.FillAsync(handshake.Count + 1, cancellation).ConfigureAwait(false))
            {
                return handshake.Count < TlsRecordPrefixLength || StartsWithTlsVersion(handshake.Data);
            }
        }

        var data = handshake.Data;
        return StartsWithTlsVersion(data) && data[HandshakeTypeOffset] == ClientHelloHandshakeType;
    }

    private static bool StartsWithTlsVersion(ReadOnlySpan<byte> data) =>
        data[1] == TlsMajorVersion && (data[2] == TlsMinorVersion10 || data[2] == TlsMinorVersion12);

    private async ValueTask<Authentication?> AuthenticateObfuscatedAsync(
        HandshakeBuffer handshake, DeferredPreconnect? preconnect, CancellationToken cancellation)
    {
        while (handshake.Count < Obfuscated2.InitLength)
        {
            // A real client sends its whole init at once. Anything shorter may be a prober's request that the mask
            // site would answer right away: let the site see it now, so its answer (which ends the handshake through
            // the preconnect's Closed signal) comes as soon as it would have directly.
            await MirrorToMaskAsync(handshake, preconnect, cancellation).ConfigureAwait(false);
            if (!await handshake.FillAsync(handshake.Count + 1, cancellation).ConfigureAwait(false))
            {
                _verdict = HandshakeVerdict.Truncated;
                return null;
            }
        }

        var wire = handshake.Data[..Obfuscated2.InitLength];
        if (!Obfuscated2.TryAcceptClient(wire, _context.Users.Keys, out var init, NeedsClientEncryptor))
        {
            _verdict = HandshakeVerdict.BadInit;
            return null;
        }

        _mode = init.Tag == ProtocolTag.PaddedIntermediate ? ClientMode.Secure : ClientMode.Classic;
        if (!IsObfuscatedTagAllowed(init.Tag, insideTls: false))
        {
            DisposeInit(init);
            _verdict = HandshakeVerdict.DisabledMode;
            return null;
        }

        if (!_context.InitReplay.TryAdd(wire.Slice(ReplayDigestOffset, AntiReplay.ReplayCache.DigestLength)))
        {
            DisposeInit(init);
            _verdict = HandshakeVerdict.Replay;
            return null;
        }

        if (!TryAdmitUser(init.KeyIndex))
        {
            DisposeInit(init);
            return null;
        }

        return Authenticated(init, handshake.Data, tlsReader: null);
    }

    /// <summary>
    /// Spec §3.4: abridged and intermediate need classic mode; padded intermediate outside TLS needs secure mode, or
    /// classic (a classic secret may use it too); inside TLS padded intermediate is what every client sends.
    /// </summary>
    private bool IsObfuscatedTagAllowed(ProtocolTag tag, bool insideTls) => tag switch
    {
        ProtocolTag.PaddedIntermediate => insideTls || _options.Modes.Secure || _options.Modes.Classic,
        _ => _options.Modes.Classic,
    };

    private async Task<SessionOutcome> RelayToDcAsync(Authentication authentication, CancellationToken stopping)
    {
        var init = authentication.Init;
        AesCtr? p2d = null;
        AesCtr? d2p = null;
        var handedOver = false;
        try
        {
            _user = _context.Users.NameOf(init.KeyIndex);
            var route = _context.Dcs.Resolve(init.DcId);
            _dc = route.DcId;
            if (route.IsFallback)
            {
                if (_context.RepeatedLines.TryPass(Log.DcFallbackEvent, init.DcId, out var held))
                {
                    Log.DcFallback(_context.Logger, init.DcId, route.DcId, held);
                }
            }

            var connecting = _context.Time.GetTimestamp();
            var connected = await _context.DcConnector.ConnectAsync(route.Targets, stopping, _upstreamLane).ConfigureAwait(false);
            if (connected.Socket is null)
            {
                _context.Metrics.DcUnreachable(route, connected.Failure.ToString().ToLowerInvariant());
                if (_context.RepeatedLines.TryPass(Log.DcUnreachableEvent, route.DcId, out var held))
                {
                    Log.DcUnreachable(_context.Logger, route.DcId, connected.Failure.ToString(), string.Join(", ", route.Targets), held);
                }

                return SessionOutcome.UpstreamUnreachable;
            }

            _context.Metrics.DcConnected(route, _context.Time.GetElapsedTime(connecting));
            _upstream = connected.Socket;
            if (Volatile.Read(ref _abortReason) != NoAbort)
            {
                CloseSockets();
            }

            var fastMode = _options.Upstream.FastMode;
            BuildUpstreamOpening(authentication, route.DcId, fastMode, out p2d, out d2p);
            try
            {
                await SendAllAsync(_upstreamLane, _upstream, authentication.Buffer.AsMemory(0, authentication.Length)).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                // The DC took the connection and reset it at once (or a reset on the way): its failure, not the client's.
                return SessionOutcome.UpstreamError;
            }

            _bytesUp += authentication.Pending.Length;
            _account?.Up.Count(authentication.Pending.Length);

            ChunkProcessor up = CreateUpstreamProcessor(authentication, p2d);
            // Both null in fast mode (see NeedsClientEncryptor): the DC's stream passes to the client as it is.
            ChunkProcessor down = CreateDownstreamProcessor(authentication, d2p, init.Encryptor);
            (_fromClientCipher, _toDcCipher, _fromDcCipher, _toClientCipher) = (init.Decryptor, p2d, d2p, init.Encryptor);

            handedOver = true;
            StartRelay(up, down, SessionOutcome.Relayed);
            return SessionOutcome.Relayed;
        }
        finally
        {
            // The opening is sent (or will not be): nothing refers to the buffer any more.
            ReturnWiped(authentication.Buffer, authentication.Length);
            if (!handedOver)
            {
                DisposeInit(init);
                p2d?.Dispose();
                d2p?.Dispose();
            }
        }
    }

    /// <summary>
    /// Writes the opening towards the DC over the authentication's buffer: the proxy's init in place of the client's (read
    /// first, for fast mode), then the client's pending bytes re-encrypted for the DC.
    /// </summary>
    private void BuildUpstreamOpening(Authentication authentication, short dcId, bool fastMode, out AesCtr p2d, out AesCtr? d2p)
    {
        Span<byte> random = stackalloc byte[Obfuscated2.InitLength];
        _context.Random.Fill(random);
        while (!Obfuscated2.IsAllowedUpstreamInit(random))
        {
            _context.Random.Fill(random[..8]);
        }

        if (fastMode)
        {
            Span<byte> material = stackalloc byte[Obfuscated2.KeyMaterialLength];
            Obfuscated2.WriteClientServerKeyMaterial(authentication.ClientInitWire, _context.Users.Keys[authentication.Init.KeyIndex], material);
            Obfuscated2.ApplyFastMode(random, material);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(material);
        }

        // In fast mode the DC's stream is the client's (spec §4.3): nothing decrypts it, and a relay may idle for hours.
        var upstream = Obfuscated2.CreateUpstreamInit(random, authentication.Init.Tag, dcId, authentication.Buffer, withDecryptor: !fastMode);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(random);
        var pending = authentication.Pending.Span;
        AesCtr.TransformTwice(authentication.Init.Decryptor, upstream.Encryptor, pending, pending);
        p2d = upstream.Encryptor;
        d2p = upstream.Decryptor;
    }

    private async Task<SessionOutcome> MaskAsync(
        ReadOnlyMemory<byte> prefix, bool clientEnded, MaskPreconnect? preconnect, CancellationToken stopping)
    {
        if (!CanMask)
        {
            return Drain(clientEnded);
        }

        var mask = ChooseMaskHost();
        ConnectResult connected;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            // A full fence: an abort that set its reason before this store either sees the source or is seen below.
            Interlocked.Exchange(ref _maskConnectWait, wait);
            if (Volatile.Read(ref _abortReason) != NoAbort)
            {
                wait.Cancel();
            }

            try
            {
                connected = preconnect is not null && mask == preconnect.Host
                    ? await preconnect.TakeAsync(wait.Token).ConfigureAwait(false)
                    : await _context.DcConnector.ConnectAsync([mask], wait.Token, _upstreamLane).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _maskConnectWait, null);
            }
        }

        if (connected.Socket is null)
        {
            if (_context.RepeatedLines.TryPass(Log.MaskUnreachableEvent, mask.GetHashCode(), out var held))
            {
                Log.MaskUnreachable(_context.Logger, mask.ToString(), connected.Failure.ToString(), held);
            }

            return SessionOutcome.MaskUnreachable;
        }

        _upstream = connected.Socket;
        if (Volatile.Read(ref _abortReason) != NoAbort)
        {
            CloseSockets();
        }

        var unsent = prefix[(preconnect is not null && mask == preconnect.Host ? _mirroredBytes : 0)..];
        try
        {
            if (!unsent.IsEmpty)
            {
                await SendAllAsync(_upstreamLane, _upstream, unsent).ConfigureAwait(false);
            }

            if (clientEnded)
            {
                _upstream.Shutdown(SocketShutdown.Send);
            }
        }
        catch (SocketException)
        {
            // The site reset the connection before taking the client's bytes: the client gets what the site sent before
            // its reset, then is reset too, as by the site.
            await PassOnUnreadFromSiteAsync().ConfigureAwait(false);
            ResetClient();
            return SessionOutcome.Masked;
        }

        _bytesUp += prefix.Length;

        // Nothing comes from a client that has ended, so there is nothing for the site to reset.
        ChunkProcessor up = clientEnded
            ? PassThroughProcessor.Instance
            : _maskForward = new MaskForwardProcessor(_upstream, _context.Time, ResetFromMaskSite);
        StartRelay(up, PassThroughProcessor.Instance, SessionOutcome.Masked, skipUp: clientEnded);
        return SessionOutcome.Masked;
    }

    /// <summary>What the mask site sent before it reset, still unread in its socket, goes to the client; no pump runs yet.</summary>
    private async ValueTask PassOnUnreadFromSiteAsync()
    {
        byte[]? buffer = null;
        try
        {
            if (_upstream!.Available == 0)
            {
                return;
            }

            // Bounded by the socket's receive buffer: a reset site sends nothing more.
            buffer = _context.Buffers.Rent(_options.Limits.RelayBufferBytes);
            while (_upstream.Available > 0 && _upstream.Receive(buffer, SocketFlags.None, out _) is > 0 and var read)
            {
                await SendAllAsync(_upstreamLane, _client, buffer.AsMemory(0, read)).ConfigureAwait(false);
                _bytesDown += read;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client is gone, or the session was aborted: nothing to pass on.
        }
        finally
        {
            if (buffer is not null)
            {
                _context.Buffers.Return(buffer);
            }
        }
    }

    private async ValueTask MirrorToMaskAsync(HandshakeBuffer handshake, DeferredPreconnect? preconnect, CancellationToken cancellation)
    {
        if (handshake.Count == _mirroredBytes || preconnect?.Open() is not { } opened)
        {
            return;
        }

        var socket = await opened.PeekAsync(cancellation).ConfigureAwait(false);
        if (socket is null)
        {
            return;
        }

        try
        {
            await SendAllAsync(socket, handshake.Memory[_mirroredBytes..], cancellation).ConfigureAwait(false);
            _mirroredBytes = handshake.Count;
            preconnect.Shown = _mirroredBytes;
        }
        catch (SocketException)
        {
            // The site already closed: its Closed signal ends the handshake and the close reaches the client.
        }
    }

    /// <summary>The site named by the hello's SNI when it is one of ours (spec §5.5), else the default mask host.</summary>
    private HostEndpoint ChooseMaskHost() =>
        _maskSni is not null && _options.Tls.MaskHostsBySni.TryGetValue(_maskSni, out var bySni) ? bySni : _options.Tls.MaskHost;

    /// <summary>
    /// With no mask host (TLS mode off), an unauthenticated client is read and ignored until it leaves or idles out:
    /// never answered, never closed early (spec §6.1).
    /// </summary>
    private SessionOutcome Drain(bool clientEnded)
    {
        if (!clientEnded)
        {
            _upPump = new Pump(_clientLane, _client, to: null, PassThroughProcessor.Instance, Activity, DrainBufferBytes, this, _context.Buffers);
            StartPumps(SessionOutcome.Masked, _upPump, null);
        }

        return SessionOutcome.Masked;
    }

    /// <summary>Starts both directions; RunAsync awaits them and <see cref="EndRelay"/> tells how they ended.</summary>
    private void StartRelay(ChunkProcessor up, ChunkProcessor down, SessionOutcome normal, bool skipUp = false)
    {
        var upstream = _upstream!;
        var bufferSize = _options.Limits.RelayBufferBytes;
        _upPump = new Pump(_clientLane, _client, upstream, up, Activity, bufferSize, this, _context.Buffers, _account?.Up);
        _downPump = new Pump(_upstreamLane, upstream, _client, down, Activity, bufferSize, this, _context.Buffers, _account?.Down);
        StartPumps(normal, skipUp ? null : _upPump, _downPump);
    }

    private void StartPumps(SessionOutcome normal, Pump? up, Pump? down)
    {
        _relayNormalOutcome = normal;
        _relayStarted = true;
        _pumpsRunning = (up is null ? 0 : 1) + (down is null ? 0 : 1);

        // Either may end inside Start (a closed socket): the count is set before both.
        up?.Start();
        down?.Start();
    }

    /// <summary>
    /// The other pump ended cleanly (or never ran because the client had already ended, skipUp) or at a failed send (the
    /// end of stream this one then sees is the reset that failed it, not a FIN to pass on): this one is the last, and
    /// RunAsync closes both sockets when it ends.
    /// </summary>
    bool IPumpOwner.OtherDirectionEnded(Pump pump) =>
        Volatile.Read(ref _pumpsRunning) == 1
        && (pump == _upPump ? _downEnd : _upEnd) is PumpEnd.EndOfStream or PumpEnd.DestinationFailed;

    /// <summary>A direction that ends other than cleanly ends the other one too; the last one to end wakes RunAsync.</summary>
    void IPumpOwner.PumpEnded(Pump pump, PumpEnd end)
    {
        if (pump == _upPump)
        {
            _upEnd = end;
        }
        else
        {
            _downEnd = end;
        }

        if (end != PumpEnd.EndOfStream)
        {
            // The mask site reset us, seen by a receive from it or by a send to it: reset the client too, as the site
            // would have.
            var siteReset = _relayNormalOutcome == SessionOutcome.Masked
                && ((end == PumpEnd.Reset && pump == _downPump) || (end == PumpEnd.DestinationFailed && pump == _upPump));
            if (siteReset)
            {
                ResetClient();
            }

            // A send that found the site reset may come before the site's answer to the client's bytes (an alert) has
            // been read from its socket: the other direction passes it on and ends at the reset, as a client straight at
            // the site reads the answer before the reset.
            if (!siteReset || pump != _upPump || Volatile.Read(ref _pumpsRunning) != 2)
            {
                CloseSockets();
            }
        }
        else if (pump == _downPump && Volatile.Read(ref _pumpsRunning) == 2)
        {
            // The client's direction goes on; only what the site does with its bytes tells whether the site closed.
            _maskForward?.SiteEnded();
        }

        if (Interlocked.Decrement(ref _pumpsRunning) == 0)
        {
            _relayEnded.SetResult(true);
        }
    }

    private SessionOutcome EndRelay()
    {
        if ((_upPump?.Fault ?? _downPump?.Fault) is { } fault)
        {
            Log.SessionCrashed(_context.Logger, fault);
        }

        _bytesUp += _upPump?.Bytes ?? 0;
        _bytesDown += _downPump?.Bytes ?? 0;
        return Classify(_upEnd, _downEnd, _relayNormalOutcome);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _relayEnded.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _relayEnded.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _relayEnded.OnCompleted(continuation, state, token, flags);

    /// <summary>Which side failed first decides the outcome; a relay that only saw clean closes ends as <paramref name="normal"/>.</summary>
    private static SessionOutcome Classify(PumpEnd up, PumpEnd down, SessionOutcome normal)
    {
        var clientFailed = up is PumpEnd.Reset or PumpEnd.Failed or PumpEnd.ProtocolError || down is PumpEnd.DestinationFailed;
        var upstreamFailed = down is PumpEnd.Reset or PumpEnd.Failed or PumpEnd.ProtocolError || up is PumpEnd.DestinationFailed;
        if (normal == SessionOutcome.Masked)
        {
            return normal;
        }

        if (clientFailed && !upstreamFailed)
        {
            return SessionOutcome.ClientError;
        }

        return upstreamFailed ? SessionOutcome.UpstreamError : normal;
    }

    /// <summary>Not cancellable, like every lane operation: closing the socket (abort, shutdown, idle sweep) ends it.</summary>
    private static async ValueTask SendAllAsync(SocketLane lane, Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await lane.SendAsync(socket, data).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellation).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>
    /// Whether the relay encrypts towards the client itself: not in fast mode towards a DC (spec §4.3), whose stream is
    /// the client's, so the handshake builds no cipher for that direction.
    /// </summary>
    private bool NeedsClientEncryptor => !_options.Upstream.FastMode || _context.Middle is not null;

    private static void DisposeInit(ClientInit init)
    {
        init.Decryptor?.Dispose();
        init.Encryptor?.Dispose();
    }

    private string DescribeRemote()
    {
        try
        {
            return _client.RemoteEndPoint is IPEndPoint ip ? ip.ToString() : "-";
        }
        catch (SocketException)
        {
            return "-";
        }
    }

    private void CloseSockets()
    {
        _client.Dispose();
        _upstream?.Dispose();
    }

    /// <summary>
    /// The client's init and the bytes after it (<paramref name="initAndPending"/>) in a pooled buffer, which the DC's
    /// opening is then built in; the session gives it back, wiped, once the opening is sent or the relay ended.
    /// </summary>
    private Authentication Authenticated(ClientInit init, ReadOnlySpan<byte> initAndPending, object? tlsReader)
    {
        var buffer = _context.Buffers.Rent(initAndPending.Length);
        initAndPending.CopyTo(buffer);
        return new Authentication(init, buffer, initAndPending.Length - Obfuscated2.InitLength, tlsReader);
    }

    /// <summary>
    /// An authenticated client: its init, and in <paramref name="Buffer"/> (pooled, see <see cref="Authenticated"/>) the
    /// init's 64 bytes as sent and the bytes the client sent after it (still encrypted); for fake-TLS the record reader
    /// mid-stream.
    /// </summary>
    private sealed record Authentication(ClientInit Init, byte[] Buffer, int PendingLength, object? TlsReader)
    {
        public ReadOnlySpan<byte> ClientInitWire => Buffer.AsSpan(0, Obfuscated2.InitLength);

        public Memory<byte> Pending => Buffer.AsMemory(Obfuscated2.InitLength, PendingLength);

        public int Length => Obfuscated2.InitLength + PendingLength;
    }
}
