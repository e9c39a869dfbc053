using System.Net;
using Gozar.Protocol.FakeTls;

namespace Gozar.Configuration;

public static partial class ConfigLoader
{
    /// <summary>Telegram Desktop refuses fake-TLS secrets whose domain is shorter (spec §1.2).</summary>
    private const int MinTlsDomainLength = 4;
    private const int MaskPort = 443;

    private static readonly string[] TlsKeys =
        [
            "domains", "mask_host", "mask_preconnect_delay", "unknown_sni", "clock_skew_past", "clock_skew_future",
            "ignore_clock_skew", "replay_cache_entries", "profile",
        ];

    /// <summary>A profile file is a few hundred bytes; anything this large is not one.</summary>
    private const int MaxProfileFileBytes = 64 * 1024;

    /// <summary>
    /// Without TLS mode and without a domain there is nothing to mask to: Tls.MaskHost is then this
    /// empty endpoint, meaning "no mask host".
    /// </summary>
    private static readonly HostEndpoint NoMaskHost = new(string.Empty, 0);

    /// <summary>Null when <paramref name="domain"/> can be a TLS domain, else why not.</summary>
    internal static string? TlsDomainProblem(string domain)
    {
        // Clients never put an address in the server_name extension (RFC 6066, section 3), so an ee secret naming one
        // would be a hello no browser sends; operators try it when they have no domain, so say what to give instead.
        if (HostSyntax.TryParseIPv4(domain, out _) || (domain.Contains(':') && IPAddress.TryParse(domain.Trim('[', ']'), out _)))
        {
            return "is an IP address; a TLS hello names a host, never an address, so give a domain name (the mask site's)";
        }

        if (!HostSyntax.IsHostName(domain))
        {
            return "is not a valid DNS host name";
        }

        return domain.Length < MinTlsDomainLength
            ? $"is shorter than {MinTlsDomainLength} characters (Telegram Desktop rejects such fake-TLS secrets)"
            : null;
    }

    private static TlsOptions BindTls(ConfigTable tls, bool tlsModeOn)
    {
        tls.RejectUnknownKeys(TlsKeys);
        var domains = BindTlsDomains(tls, tlsModeOn);
        var maskHost = domains.Count > 0 ? new HostEndpoint(domains[0], MaskPort) : NoMaskHost;
        var bySni = new Dictionary<string, HostEndpoint>(StringComparer.OrdinalIgnoreCase);
        foreach (var domain in domains)
        {
            bySni[domain] = new HostEndpoint(domain, MaskPort);
        }

        if (tls.String("mask_host") is { } maskText)
        {
            bySni.Clear();
            if (HostSyntax.TryParseHostPort(maskText, out var host, out var port) is { } problem)
            {
                tls.Fail("mask_host", $"{ConfigText.Show(maskText)} {problem}");
            }
            else
            {
                maskHost = new HostEndpoint(host, port);
            }
        }

        var defaults = new TlsOptions { Domains = [], MaskHost = NoMaskHost };
        return new TlsOptions
        {
            Domains = domains,
            MaskHost = maskHost,
            MaskHostsBySni = bySni,
            MaskPreconnectDelay = tls.Duration(
                "mask_preconnect_delay", defaults.MaskPreconnectDelay, TimeSpan.Zero, TimeSpan.FromSeconds(10)),
            UnknownSni = BindUnknownSni(tls, defaults.UnknownSni),
            ClockSkewPast = tls.Duration("clock_skew_past", defaults.ClockSkewPast, TimeSpan.Zero, TimeSpan.FromDays(1)),
            ClockSkewFuture = tls.Duration("clock_skew_future", defaults.ClockSkewFuture, TimeSpan.Zero, TimeSpan.FromDays(1)),
            IgnoreClockSkew = tls.Boolean("ignore_clock_skew", defaults.IgnoreClockSkew),
            ReplayCacheEntries = (int)tls.Integer("replay_cache_entries", defaults.ReplayCacheEntries, 1_000, 100_000_000),
            Profile = BindProfile(tls),
        };
    }

    /// <summary>Reads and checks the profile file once, here: a bad file stops the start with its path and problem.</summary>
    private static TlsProfile? BindProfile(ConfigTable tls)
    {
        if (tls.String("profile") is not { } path)
        {
            return null;
        }

        if (path.Length == 0)
        {
            return FailWith<TlsProfile?>(tls, "profile", "is empty: name a file written by 'gozar tls-profile fetch', or remove the key", null);
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            // Opening it would throw: no file name holds a NUL (TOML writes one as \u0000).
            return FailWith<TlsProfile?>(tls, "profile", "must be a file path: name the file 'gozar tls-profile fetch' wrote", null);
        }

        if (Directory.Exists(path))
        {
            // Opening a directory fails with "access denied", which sends even root looking at permissions.
            return FailWith<TlsProfile?>(tls, "profile", $"{ConfigText.Show(path)} is a directory: name the file 'gozar tls-profile fetch' wrote", null);
        }

        byte[] bytes;
        try
        {
            using var file = File.OpenRead(path);
            if (file.Length > MaxProfileFileBytes)
            {
                return FailWith<TlsProfile?>(tls, "profile", $"{ConfigText.Show(path)} is not a TLS profile: larger than {MaxProfileFileBytes} bytes", null);
            }

            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return FailWith<TlsProfile?>(tls, "profile", $"{ConfigText.Show(path)} not found (write it with 'gozar tls-profile fetch HOST')", null);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return FailWith<TlsProfile?>(tls, "profile", $"cannot read {ConfigText.Show(path)}: {exception.Message}", null);
        }

        return TlsProfileJson.TryRead(bytes, out var profile, out var problem)
            ? profile
            : FailWith<TlsProfile?>(tls, "profile", $"{ConfigText.Show(path)}: {problem}", null);
    }

    private static UnknownSniPolicy BindUnknownSni(ConfigTable tls, UnknownSniPolicy fallback) => tls.String("unknown_sni") switch
    {
        null => fallback,
        "mask" => UnknownSniPolicy.Mask,
        "reject" => UnknownSniPolicy.Reject,
        "accept" => UnknownSniPolicy.Accept,
        var other => FailWith(tls, "unknown_sni", $"{ConfigText.Show(other)} is not one of mask, reject, accept", fallback),
    };

    private static T FailWith<T>(ConfigTable table, string key, string problem, T fallback)
    {
        table.Fail(key, problem);
        return fallback;
    }

    private static List<string> BindTlsDomains(ConfigTable tls, bool tlsModeOn)
    {
        var domains = new List<string>();
        var names = tls.StringArray("domains");
        if (names is null || names.Count == 0)
        {
            if (tlsModeOn && (names is not null || !tls.Contains("domains")))
            {
                tls.Fail("domains", "needs at least one domain when modes.tls is true, e.g. domains = [\"example.com\"]");
            }

            return domains;
        }

        for (var i = 0; i < names.Count; i++)
        {
            var path = ConfigText.Index(tls.PathOf("domains"), i);
            var domain = names[i].ToLowerInvariant();
            if (TlsDomainProblem(domain) is { } problem)
            {
                tls.FailAt(path, $"{ConfigText.Show(names[i])} {problem}");
            }
            else if (domains.Contains(domain))
            {
                tls.FailAt(path, $"{ConfigText.Show(names[i])} is listed twice");
            }
            else
            {
                domains.Add(domain);
            }
        }

        return domains;
    }
}
