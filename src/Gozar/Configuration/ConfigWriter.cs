using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Gozar.Configuration;

/// <summary>Writes the commented starter config for a fresh install.</summary>
public static class ConfigWriter
{
    /// <summary>True when <paramref name="domain"/> is usable as the TLS domain; otherwise why not.</summary>
    public static bool IsValidTlsDomain(string domain, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(domain);
        problem = ConfigLoader.TlsDomainProblem(domain.ToLowerInvariant()) is { } reason
            ? $"{ConfigText.Show(domain)} {reason}"
            : null;
        return problem is null;
    }

    /// <summary>
    /// A valid, commented TOML config: fake-TLS only, one user "default" holding <paramref name="key16"/>,
    /// listening on 0.0.0.0:<paramref name="port"/> (and [::]:<paramref name="port"/> when asked).
    /// Optional settings appear commented out with their defaults as "#key = value" lines. With
    /// <paramref name="adminToken"/> the admin listener is on, on 127.0.0.1:<paramref name="adminPort"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not 16 bytes or the domain is not usable
    /// (check it first with <see cref="IsValidTlsDomain"/>).</exception>
    public static string CreateDefault(
        byte[] key16, string tlsDomain, int port, bool includeIpv6, string? adminToken = null, int adminPort = 9090)
    {
        ArgumentNullException.ThrowIfNull(key16);
        ArgumentNullException.ThrowIfNull(tlsDomain);
        if (key16.Length != UserSecretSyntax.KeyLength)
        {
            throw new ArgumentException($"the key must be {UserSecretSyntax.KeyLength} bytes", nameof(key16));
        }

        if (!IsValidTlsDomain(tlsDomain, out var problem))
        {
            throw new ArgumentException($"TLS domain {problem}", nameof(tlsDomain));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);

        ArgumentOutOfRangeException.ThrowIfLessThan(adminPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(adminPort, 65535);
        var domain = tlsDomain.ToLowerInvariant();
        var admin = adminToken is null
            ? "#[admin]\n#listen = \"127.0.0.1:9090\"\n# (a token is written here when gozar run first starts the listener)"
            : $"[admin]\nlisten = \"127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}\"\ntoken = \"{adminToken}\"";
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var listen = includeIpv6
            ? $"[\"0.0.0.0:{portText}\", \"[::]:{portText}\"]"
            : $"[\"0.0.0.0:{portText}\"]";

        return $$"""
            # Gozar MTProto proxy configuration.
            # Durations: "500ms", "10s", "5m", "1h", "1d" or an integer number of seconds.
            # Sizes: bytes, "64KiB", "1MiB", "50GiB" or "2TiB". Lines starting with "#key =" show defaults.

            # Addresses to accept clients on: IP address and port, IPv6 in brackets.
            listen = {{listen}}

            # Host name or IP address clients use to reach this server; it goes into the
            # links the proxy prints. Set it to this server's public DNS name or IP.
            #public_host = "proxy.example.org"

            # trace | debug | information | warning | error
            log_level = "information"
            # Client IP addresses are personal data; keep them out of the logs unless debugging.
            log_client_ips = false

            [modes]
            # Which client secrets are accepted. Fake-TLS ("ee" secrets) looks like HTTPS to an
            # observer; classic and secure ("dd") connections are easy to recognise and block.
            classic = false
            secure = false
            tls = true

            [tls]
            # The domain clients send as SNI and that goes into their "ee" secrets. Use a real
            # HTTPS site that this server can reach and that supports TLS 1.3: connections that
            # fail the proxy handshake are relayed to it, so to a prober the proxy looks like it.
            domains = ["{{domain}}"]
            # Where failed handshakes are relayed: "host:port" or "[v6]:port" (default: first domain, port 443).
            mask_host = "{{domain}}:443"
            # How far a client's clock may be behind / ahead of this server's.
            #clock_skew_past = "20m"
            #clock_skew_future = "10m"
            #ignore_clock_skew = false
            # A hello that authenticates but names another SNI: mask | reject (TLS alert) | accept.
            #unknown_sni = "mask"
            # The mask connection is opened this long after a client connects, so a prober that sends
            # nothing meets the mask site's own timeouts (0 .. 10s).
            #mask_preconnect_delay = "100ms"
            # Remembered handshakes, so replayed ones are refused (1000 .. 100000000).
            #replay_cache_entries = 1000000
            # The fake server flight is shaped like a profile of the mask site: write one with
            # "gozar tls-profile fetch HOST" and name it here, e.g. profile = "/etc/gozar/site.tls-profile.json"
            # (relative paths start from the working directory). Default: a built-in nginx-like profile.

            [users]
            # name = "32 hex digits" (a 16-byte key). Give every person their own key.
            default = "{{UserSecretSyntax.ToHex(key16)}}"

            # How the proxy reaches Telegram's data centers.
            #[upstream]
            #mode = "direct"
            # prefer-ipv4 | prefer-ipv6 | only-ipv4 | only-ipv6
            #ip_preference = "prefer-ipv4"
            #connect_timeout = "5s"
            # How long a host name's addresses (mask_host, DC overrides) are reused; 0 = look up every time.
            #dns_cache = "1m"
            #fast_mode = true

            #[timeouts]
            # Time a client has to finish the handshake (100ms .. 5m).
            #handshake = "10s"
            # A connection with no traffic either way is closed after this (1s .. 7d).
            #idle = "5m"
            # On SIGTERM or SIGINT, open sessions may go on this long before they are closed; a second
            # signal closes them at once (0 .. 1h).
            #drain = "20s"
            # This long without a new connection, memory is compacted and given back: a pause of about 3-6 ms per
            # thousand open connections, once after each burst of them (0 = never; 0 .. 1h).
            #memory_trim = "2s"

            #[limits]
            # Buffer per direction of each relayed connection (4KiB .. 4MiB).
            #relay_buffer = "64KiB"
            # Open client connections, and connections still in their handshake; at either limit new
            # clients wait in the kernel's backlog (1 .. 1000000).
            #max_connections = 10000
            #max_handshakes = 4096
            # New connections per second from one address (IPv6: its /64), and at once, that do not
            # authenticate (a client that does gives its place back); 0 = no limit. Raise the burst if
            # more handshakes than that may be in flight from one address without a PROXY header.
            #per_ip_rate = 20
            #per_ip_burst = 100
            # Sources the rate does not count: loopback (a forwarder on this host), or a relay in front of
            # Gozar that sends no PROXY header.
            #per_ip_exempt = ["127.0.0.0/8", "::1/128"]
            # A connection over its address's rate: mask (relayed to the mask site, like a probe) | close.
            #over_rate = "mask"

            # The admin listener: JSON API (/api/v1), web page (/), Prometheus metrics (/metrics).
            # Everything but /healthz needs "Authorization: Bearer <token>". Keep it on loopback and reach
            # it through an SSH tunnel; a listener on another address needs a token.
            {{admin}}

            """;
    }
}
