using Gozar.Configuration;
using Gozar.Protocol.Secrets;

namespace Gozar.Cli;

/// <summary>The secrets and links a user hands to the Telegram app, one per enabled mode, fake-TLS first.</summary>
public static class UserLinks
{
    public static IReadOnlyList<(string Mode, ProxySecret Secret)> Secrets(ProxyOptions options, UserOptions user)
    {
        var secrets = new List<(string, ProxySecret)>();
        if (options.Modes.Tls && options.Tls.Domains.Count > 0)
        {
            secrets.Add(("tls", ProxySecret.FakeTls(user.Secret, options.Tls.Domains[0])));
        }

        if (options.Modes.Secure)
        {
            secrets.Add(("secure", ProxySecret.Secure(user.Secret)));
        }

        if (options.Modes.Classic)
        {
            secrets.Add(("classic", ProxySecret.Classic(user.Secret)));
        }

        return secrets;
    }

    public static int LinkPort(ProxyOptions options) => options.Listen[0].Port;

    /// <summary>Writes every link of the user; returns the first (preferred) tg:// link, for a QR code.</summary>
    public static string Write(TextWriter output, ProxyOptions options, UserOptions user, string host)
    {
        var port = LinkPort(options);
        string? first = null;
        output.WriteLine($"User {user.Name}:");
        foreach (var (mode, secret) in Secrets(options, user))
        {
            var tg = ProxyLink.Format(host, port, secret, LinkKind.Tg);
            first ??= tg;
            output.WriteLine($"  {mode,-7} {tg}");
            output.WriteLine($"  {"",-7} {ProxyLink.Format(host, port, secret, LinkKind.TMe)}");
        }

        return first ?? string.Empty;
    }
}
