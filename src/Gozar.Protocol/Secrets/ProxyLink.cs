using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Gozar.Protocol.Secrets;

/// <summary>
/// Proxy links (spec §1.3):
/// <code>
/// tg://proxy?server=&lt;host&gt;&amp;port=&lt;port&gt;&amp;secret=&lt;secret&gt;
/// https://t.me/proxy?server=&lt;host&gt;&amp;port=&lt;port&gt;&amp;secret=&lt;secret&gt;
/// </code>
/// </summary>
public static class ProxyLink
{
    private const string TgPrefix = "tg://proxy";
    private const string TMePrefix = "https://t.me/proxy";
    private const int MaxPort = 65535;

    // Hosts that serve t.me links; http is tolerated on read because people paste it.
    private static readonly string[] WebPrefixes =
    [
        "https://t.me/proxy", "http://t.me/proxy",
        "https://telegram.me/proxy", "http://telegram.me/proxy",
        "https://telegram.dog/proxy", "http://telegram.dog/proxy",
    ];

    /// <summary>
    /// Builds a link. An IPv6 <paramref name="server"/> is written bare (brackets removed) and percent-encoded like
    /// every value; both clients decode the value and accept a bare literal.
    /// </summary>
    /// <exception cref="ArgumentException">The server is not an IP literal or ASCII host name, or the port is out of range.</exception>
    public static string Format(
        string server, int port, ProxySecret secret, LinkKind kind, SecretEncoding encoding = SecretEncoding.Hex)
    {
        if (!HostName.TryNormalizeServer(server, out var host))
        {
            throw new ArgumentException("Not an IP literal or ASCII host name.", nameof(server));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, MaxPort);

        var prefix = kind switch
        {
            LinkKind.Tg => TgPrefix,
            LinkKind.TMe => TMePrefix,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var secretText = encoding switch
        {
            SecretEncoding.Hex => secret.ToHex(),
            SecretEncoding.Base64Url => secret.ToBase64Url(),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{prefix}?server={Uri.EscapeDataString(host)}&port={port}&secret={secretText}");
    }

    /// <summary>
    /// Reads a <c>tg://proxy</c> or <c>http(s)://t.me|telegram.me|telegram.dog/proxy</c> link. Parameter names are
    /// case-insensitive, order is free, values are percent-decoded, unknown parameters are ignored, and the first
    /// occurrence of a repeated parameter wins (as in Telegram Desktop).
    /// </summary>
    public static bool TryParse(string link, [NotNullWhen(true)] out ProxyLinkInfo? info)
    {
        info = null;
        if (!TryGetQuery(link, out var query))
        {
            return false;
        }

        string? server = null;
        string? port = null;
        string? secret = null;
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? ReadOnlySpan<char>.Empty : query[(amp + 1)..];

            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var name = pair[..eq];
            var value = pair[(eq + 1)..];
            if (name.Equals("server", StringComparison.OrdinalIgnoreCase))
            {
                server ??= Uri.UnescapeDataString(value);
            }
            else if (name.Equals("port", StringComparison.OrdinalIgnoreCase))
            {
                port ??= Uri.UnescapeDataString(value);
            }
            else if (name.Equals("secret", StringComparison.OrdinalIgnoreCase))
            {
                secret ??= Uri.UnescapeDataString(value);
            }
        }

        if (server is null || port is null || secret is null
            || !HostName.TryNormalizeServer(server, out var host)
            || !TryParsePort(port, out var portNumber)
            || !ProxySecret.TryParse(secret, out var proxySecret))
        {
            return false;
        }

        info = new ProxyLinkInfo(host, portNumber, proxySecret);
        return true;
    }

    private static bool TryGetQuery(string link, out ReadOnlySpan<char> query)
    {
        query = default;
        var rest = link.AsSpan();
        if (!TryStripPrefix(ref rest))
        {
            return false;
        }

        // Desktop also accepts "proxy/?"; anything else after the path is another link.
        if (rest.StartsWith('/'))
        {
            rest = rest[1..];
        }

        if (!rest.StartsWith('?'))
        {
            return false;
        }

        rest = rest[1..];
        var hash = rest.IndexOf('#');
        query = hash < 0 ? rest : rest[..hash];
        return true;
    }

    private static bool TryStripPrefix(ref ReadOnlySpan<char> rest)
    {
        if (rest.StartsWith(TgPrefix, StringComparison.OrdinalIgnoreCase))
        {
            rest = rest[TgPrefix.Length..];
            return true;
        }

        foreach (var prefix in WebPrefixes)
        {
            if (rest.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                rest = rest[prefix.Length..];
                return true;
            }
        }

        return false;
    }

    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            port = (port * 10) + (c - '0');
        }

        return port is >= 1 and <= MaxPort;
    }
}
