using System.Net;
using Gozar.Configuration;
using Gozar.Protocol.Secrets;

namespace Gozar.Audit;

/// <summary>
/// `gozar audit --proxy HOST:PORT --mask HOST:PORT`: sends every probe of <see cref="ProbeBattery"/> to the
/// operator's proxy and straight to the mask site, and reports each difference a prober could see. It connects only to
/// the two addresses the operator named.
/// </summary>
public static class AuditCommand
{
    public static async Task<int> RunAsync(
        string proxy, string mask, string? sni, string? secret, TimeSpan wait, TextWriter output, TextWriter errors,
        CancellationToken cancellation)
    {
        var proxyEndpoint = await ResolveAsync(proxy, "--proxy", errors, cancellation).ConfigureAwait(false);
        var maskEndpoint = await ResolveAsync(mask, "--mask", errors, cancellation).ConfigureAwait(false);
        if (proxyEndpoint is null || maskEndpoint is null)
        {
            return 2;
        }

        byte[]? key = null;
        if (secret is not null)
        {
            if (!ProxySecret.TryParse(secret, out var parsed))
            {
                errors.WriteLine("gozar: --secret is not a secret a client accepts");
                return 2;
            }

            key = parsed.Key.ToArray();
            sni ??= parsed.Domain;
        }

        sni ??= HostSyntax.TryParseHostPort(mask, out var maskHost, out _) is null ? maskHost : "localhost";
        var report = await AuditAsync(proxyEndpoint, maskEndpoint, sni, key, wait, cancellation).ConfigureAwait(false);
        foreach (var (probe, difference) in report)
        {
            output.WriteLine(difference is null ? $"same     {probe}" : $"DIFFERS  {probe}: {difference}");
        }

        var differences = report.Count(r => r.Difference is not null);
        output.WriteLine(differences == 0
            ? $"audit: the proxy answered all {report.Count} probes like the mask site"
            : $"audit: {differences} of {report.Count} probes tell the proxy from the mask site");
        return differences == 0 ? 0 : 1;
    }

    /// <summary>Runs every probe against both targets at once (so the whole audit takes about the longest timeout).</summary>
    public static async Task<IReadOnlyList<(string Probe, string? Difference)>> AuditAsync(
        IPEndPoint proxy, IPEndPoint mask, string sni, byte[]? key, TimeSpan wait, CancellationToken cancellation)
    {
        var probes = ProbeBattery.Create(sni, key, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var runs = probes.Select(probe => CompareAsync(proxy, mask, probe, wait, cancellation)).ToArray();
        return await Task.WhenAll(runs).ConfigureAwait(false);
    }

    private static async Task<(string, string?)> CompareAsync(IPEndPoint proxy, IPEndPoint mask, Probe probe, TimeSpan wait, CancellationToken cancellation)
    {
        if (probe.ReplayOfAcceptedHello)
        {
            // The first copy authenticates; only the second, the replay, must look like the site.
            var first = await ProbeRunner.RunAsync(proxy, probe with { CloseAfterSending = true }, TimeSpan.FromSeconds(5), cancellation).ConfigureAwait(false);
            if (first.Close == CloseKind.Unreachable)
            {
                return (probe.Name, "proxy unreachable");
            }
        }

        var proxied = ProbeRunner.RunAsync(proxy, probe, wait, cancellation);
        var direct = ProbeRunner.RunAsync(mask, probe, wait, cancellation);
        var (p, d) = (await proxied.ConfigureAwait(false), await direct.ConfigureAwait(false));
        if (d.Close == CloseKind.Unreachable)
        {
            return (probe.Name, "mask site unreachable");
        }

        return (probe.Name, ProbeComparer.Difference(p, d, TimeSpan.FromMilliseconds(750)));
    }

    private static async Task<IPEndPoint?> ResolveAsync(string text, string option, TextWriter errors, CancellationToken cancellation)
    {
        if (HostSyntax.TryParseHostPort(text, out var host, out var port) is { } problem)
        {
            errors.WriteLine($"gozar: {option}: '{text}' {problem}");
            return null;
        }

        if (IPAddress.TryParse(host, out var literal))
        {
            return new IPEndPoint(literal, port);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellation).ConfigureAwait(false);
            return new IPEndPoint(addresses[0], port);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            errors.WriteLine($"gozar: {option}: cannot resolve '{host}': {e.Message}");
            return null;
        }
    }
}
