using Gozar.Configuration;

namespace Gozar.Cli;

/// <summary>
/// `gozar link`: every user's links (or one user's), with a QR code drawn in the terminal, or one user's QR code
/// written as an SVG or PNG file.
/// </summary>
public static class LinkCommand
{
    public static int Run(
        string? configOption, string? userName, TextWriter output, TextWriter errors, string? qrFormat = null, string? qrFile = null)
    {
        var path = DefaultConfigPath.Resolve(configOption);
        var loaded = ConfigLoader.LoadFile(path);
        if (!loaded.Succeeded)
        {
            errors.WriteLine($"gozar: {loaded.Error}");
            return ExitCodes.BadConfig;
        }

        if (userName is not null && !loaded.Options.Users.Any(u => u.Name == userName))
        {
            errors.WriteLine($"gozar: no user named '{userName}' in {path}");
            return ExitCodes.BadConfig;
        }

        if (qrFormat is not null || qrFile is not null)
        {
            return WriteQrFile(loaded.Options, userName, qrFormat, qrFile, output, errors);
        }

        WriteAll(output, loaded.Options, userName, withQr: true);
        return ExitCodes.Ok;
    }

    private static int WriteQrFile(
        ProxyOptions options, string? userName, string? format, string? file, TextWriter output, TextWriter errors)
    {
        if (format is not ("svg" or "png"))
        {
            errors.WriteLine("gozar: --qr takes svg or png");
            return ExitCodes.BadConfig;
        }

        if (string.IsNullOrEmpty(file))
        {
            errors.WriteLine("gozar: --qr needs --out FILE");
            return ExitCodes.BadConfig;
        }

        if (userName is null && options.Users.Count != 1)
        {
            errors.WriteLine("gozar: --qr writes one user's code: name the user with --user");
            return ExitCodes.BadConfig;
        }

        var user = options.Users.First(u => userName is null || u.Name == userName);
        var (host, _) = PublicAddress.Choose(options.PublicHost, options.Listen);
        var preferred = UserLinks.Write(output, options, user, host);
        try
        {
            var image = format == "svg" ? System.Text.Encoding.UTF8.GetBytes(QrImage.Svg(preferred)) : QrImage.Png(preferred);
            // The code carries the user's secret: a new file is the owner's only, as the config is. Written in place, not
            // renamed, so that --out may name a device or a file the operator made with modes of their own.
            var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(file, create);
            stream.Write(image);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"gozar: cannot write {file}: {e.Message}");
            return ExitCodes.Failure;
        }

        output.WriteLine($"Wrote the QR code of {user.Name}'s first link to {file}");
        if (PublicAddress.Hint(options.PublicHost, host, options.Listen) is { } hint)
        {
            output.WriteLine(hint);
        }

        return ExitCodes.Ok;
    }

    public static void WriteAll(TextWriter output, ProxyOptions options, string? userName, bool withQr)
    {
        var (host, _) = PublicAddress.Choose(options.PublicHost, options.Listen);
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

        if (PublicAddress.Hint(options.PublicHost, host, options.Listen) is { } hint)
        {
            output.WriteLine(hint);
        }
    }
}
