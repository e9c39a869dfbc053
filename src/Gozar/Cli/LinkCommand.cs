using Gozar.Configuration;

namespace Gozar.Cli;

/// <summary>`gozar link`: every user's links (or one user's), with a QR code drawn in the terminal.</summary>
public static class LinkCommand
{
    public static int Run(string? configOption, string? userName, TextWriter output, TextWriter errors)
    {
        var path = DefaultConfigPath.Resolve(configOption);
        var loaded = ConfigLoader.LoadFile(path);
        if (!loaded.Succeeded)
        {
            errors.WriteLine($"gozar: {path}: {loaded.Error}");
            return ExitCodes.BadConfig;
        }

        if (userName is not null && !loaded.Options.Users.Any(u => u.Name == userName))
        {
            errors.WriteLine($"gozar: no user named '{userName}' in {path}");
            return ExitCodes.BadConfig;
        }

        WriteAll(output, loaded.Options, userName, withQr: true);
        return ExitCodes.Ok;
    }

    public static void WriteAll(TextWriter output, ProxyOptions options, string? userName, bool withQr)
    {
        var (host, isPlaceholder) = PublicAddress.Choose(options.PublicHost);
        foreach (var user in options.Users)
        {
            if (userName is not null && user.Name != userName)
            {
                continue;
            }

            var preferred = UserLinks.Write(output, options, user, host);
            if (withQr && preferred.Length > 0)
            {
                output.WriteLine();
                output.Write(TerminalQr.Render(preferred));
            }
        }

        if (isPlaceholder)
        {
            output.WriteLine(
                $"Replace {PublicAddress.Placeholder} with this server's public IP or host name, or set public_host in the config.");
        }
    }
}
