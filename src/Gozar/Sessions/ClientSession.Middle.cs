using System.Net;
using System.Net.Sockets;
using Gozar.Diagnostics;
using Gozar.Protocol.FakeTls;
using Gozar.Relay;
using Gozar.Upstream.Middle;

namespace Gozar.Sessions;

/// <summary>The middle-proxy upstream (spec §7): the client's packets go over a shared ME connection.</summary>
public sealed partial class ClientSession
{
    /// <summary>
    /// This session holds its context's middle upstream from accept to end, so a reload that replaces the upstream
    /// disposes the old one only after its last session. False when it was already drained: the session cannot use it.
    /// </summary>
    private readonly bool _middleEntered;

    /// <summary>The middle-mode relay once it runs: an abort ends it, since closing the client alone does not.</summary>
    private MiddleRelay? _middleRelay;

    private async Task<SessionOutcome> RelayToMiddleAsync(Authentication authentication, MiddleUpstream middle, CancellationToken stopping)
    {
        var init = authentication.Init;
        try
        {
            _user = _context.Users.NameOf(init.KeyIndex);
            _dc = init.DcId;

            // Read before the link is registered: an abort closing the client meanwhile makes this throw, and a link
            // registered first would stay in the ME connection's table.
            var addresses = RequestAddresses();
            var cluster = _middleEntered ? middle.Resolve(init.DcId) : null;
            var me = cluster is null ? null : await cluster.AcquireAsync(stopping).ConfigureAwait(false);
            var link = me?.Register(_options.Upstream.Middle.ClientBufferBytes);
            if (me is null || link is null)
            {
                if (_context.RepeatedLines.TryPass(Log.MeUnreachableEvent, init.DcId, out var held))
                {
                    Log.MeUnreachable(_context.Logger, cluster?.Id ?? 0, init.DcId, held);
                }

                return SessionOutcome.UpstreamUnreachable;
            }

            _account?.Up.Count(authentication.Pending.Length);
            var relay = new MiddleRelay(
                _client, me, link, init, authentication.TlsReader as TlsRecordReader, authentication.Pending, addresses,
                _context.Users.AdTagOf(init.KeyIndex) ?? _options.Upstream.AdTag, Activity, _context.Buffers, _context.Random,
                _options.Limits.RelayBufferBytes, _account?.Up, _account?.Down);

            // Published before the relay runs, and checked after: an abort in between still reaches it.
            Volatile.Write(ref _middleRelay, relay);
            if (Volatile.Read(ref _abortReason) != NoAbort)
            {
                relay.Abort();
            }

            var (up, down) = await relay.RunAsync().ConfigureAwait(false);
            _bytesUp += authentication.Pending.Length + relay.BytesUp;
            _bytesDown += relay.BytesDown;
            return down switch
            {
                MiddleDownEnd.MiddleEndLost => SessionOutcome.UpstreamError,
                MiddleDownEnd.SlowClient => SessionOutcome.ClientError,
                MiddleDownEnd.ClosedByMiddleEnd => SessionOutcome.Relayed,
                _ when up is PumpEnd.EndOfStream or PumpEnd.Aborted => SessionOutcome.Relayed,
                _ => SessionOutcome.ClientError,
            };
        }
        finally
        {
            // The relay has ended (both halves), or never started: nothing reads the pending bytes any more.
            DisposeInit(init);
            ReturnWiped(authentication.Buffer, authentication.Length);
        }
    }

    /// <summary>Spec §7.6: the client's address and port (as a trusted PROXY header names it), and the proxy's as the client reached it (nat_ip for IPv4).</summary>
    private MiddleRequestAddresses RequestAddresses()
    {
        var remote = _proxiedClient ?? (IPEndPoint)_client.RemoteEndPoint!;
        var local = (IPEndPoint)_client.LocalEndPoint!;
        var proxy = local.Address.IsIPv4MappedToIPv6 ? local.Address.MapToIPv4() : local.Address;
        if (proxy.AddressFamily == AddressFamily.InterNetwork && _options.Upstream.Middle.NatIp is { } nat)
        {
            proxy = nat;
        }

        return new MiddleRequestAddresses(remote.Address.MapToIPv6().GetAddressBytes(), remote.Port, proxy.MapToIPv6().GetAddressBytes(), local.Port);
    }
}
