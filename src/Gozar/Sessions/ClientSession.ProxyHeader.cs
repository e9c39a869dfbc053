using System.Net;
using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Protocol.ProxyProtocol;

namespace Gozar.Sessions;

public sealed partial class ClientSession
{
    /// <summary>The client a trusted load balancer's header named; null without one (then the socket's peer is the client).</summary>
    private IPEndPoint? _proxiedClient;

    /// <summary>Time the PROXY header took, taken off the handshake deadline: both together get timeouts.handshake.</summary>
    private TimeSpan _proxyHeaderTime;

    /// <summary>
    /// Reads a trusted load balancer's header and applies the per-address rate to the client it names (or, for LOCAL
    /// and UNKNOWN headers, to the connection's own source). Null when the client may go on to its handshake;
    /// otherwise how the session ended: closed for a missing or bad header, closed or masked when over the rate.
    /// </summary>
    private async Task<(SessionOutcome Outcome, Authentication? Authentication)?> AdmitProxiedAsync(
        HandshakeBuffer handshake, CancellationToken stopping)
    {
        var started = _context.Time.GetTimestamp();
        ProxyHeader header;
        using (var deadline = StartDeadline(_options.Timeouts.Handshake, stopping, out var onStopping))
        using (onStopping)
        {
            try
            {
                header = await ReadProxyHeaderAsync(handshake, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                _verdict = HandshakeVerdict.Timeout;
                header = default;
            }
        }

        _proxyHeaderTime = _context.Time.GetElapsedTime(started);
        if (header.Status != ProxyHeaderStatus.Parsed)
        {
            if (_verdict == HandshakeVerdict.BadProxyHeader)
            {
                Log.BadProxyHeader(_context.Logger);
            }

            CountRefusedHandshake();
            return (SessionOutcome.ClientError, null);
        }

        _proxiedClient = header.Source;
        if (header.Source is not null && _options.Log.ClientIps)
        {
            _remote = header.Source.ToString();
        }

        if (_admission.AllowsNewConnectionFrom(RateSource()))
        {
            return null;
        }

        _verdict = HandshakeVerdict.RateLimited;
        CountRefusedHandshake();
        if (_options.Limits.OverRate == OverRateAction.Close)
        {
            return (SessionOutcome.ClientError, null);
        }

        TakeRestOfBurst(handshake);
        return (await MaskAsync(handshake.Memory, handshake.EndOfStream, preconnect: null, stopping).ConfigureAwait(false), null);
    }

    private void CountRefusedHandshake()
    {
        CountVerdict(_verdict);
        EndHandshake();
    }

    /// <summary>Reads until the header is complete; what follows it stays in <paramref name="handshake"/> for the handshake.</summary>
    private async ValueTask<ProxyHeader> ReadProxyHeaderAsync(HandshakeBuffer handshake, CancellationToken cancellation)
    {
        while (true)
        {
            var header = ProxyHeader.Parse(handshake.Data, _options.ProxyProtocol.MaxHeaderBytes);
            switch (header.Status)
            {
                case ProxyHeaderStatus.Parsed:
                    handshake.Consume(header.Length);
                    return header;
                case ProxyHeaderStatus.Invalid:
                    _verdict = HandshakeVerdict.BadProxyHeader;
                    return header;
            }

            if (!await handshake.FillAsync(handshake.Count + 1, cancellation).ConfigureAwait(false))
            {
                _verdict = HandshakeVerdict.Truncated;
                return header;
            }
        }
    }

    /// <summary>The address whose rate this connection counts against: the client a trusted header names, else the peer.</summary>
    private IPAddress? RateSource() => _proxiedClient?.Address ?? ConnectionSource();

    private IPAddress? ConnectionSource()
    {
        try
        {
            return (_client.RemoteEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
