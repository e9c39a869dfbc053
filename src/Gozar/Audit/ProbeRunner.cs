using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gozar.Audit;

/// <summary>How a connection ended, as a prober sees it.</summary>
public enum CloseKind
{
    /// <summary>The server closed its sending side (FIN).</summary>
    Fin,

    /// <summary>The server reset the connection (RST).</summary>
    Reset,

    /// <summary>Still open when the prober gave up waiting.</summary>
    Open,

    /// <summary>Could not connect at all.</summary>
    Unreachable,
}

/// <summary>What came back for a probe: every byte, how the connection ended and after how long.</summary>
public sealed record ProbeObservation(byte[] Received, CloseKind Close, TimeSpan Elapsed);

public static class ProbeRunner
{
    private const int MaxResponseBytes = 256 * 1024;

    public static async Task<ProbeObservation> RunAsync(IPEndPoint target, Probe probe, TimeSpan wait, CancellationToken cancellation)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var watch = Stopwatch.StartNew();
        try
        {
            await socket.ConnectAsync(target, cancellation).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return new ProbeObservation([], CloseKind.Unreachable, watch.Elapsed);
        }

        watch.Restart();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(wait);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            if (probe.Payload.Length > 0)
            {
                await socket.SendAsync(probe.Payload, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }

            if (probe.CloseAfterSending)
            {
                socket.Shutdown(SocketShutdown.Send);
            }

            while (received.Length < MaxResponseBytes)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return new ProbeObservation(received.ToArray(), CloseKind.Fin, watch.Elapsed);
                }

                received.Write(buffer, 0, read);
            }

            return new ProbeObservation(received.ToArray(), CloseKind.Open, watch.Elapsed);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            return new ProbeObservation(received.ToArray(), CloseKind.Reset, watch.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new ProbeObservation(received.ToArray(), CloseKind.Open, watch.Elapsed);
        }
    }
}
