using System.CommandLine;

namespace Gozar.Cli;

/// <summary>The `gozar` command line.</summary>
public static class GozarCommandLine
{
    private static readonly TimeSpan MaxAuditWait = TimeSpan.FromHours(1);

    /// <summary>Parses and runs <paramref name="args"/>; a command line that does not parse exits 2, as a bad config does.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter errors)
    {
        var parsed = Build(output, errors).Parse(args);
        var code = await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = errors }).ConfigureAwait(false);
        return parsed.Errors.Count > 0 ? ExitCodes.BadConfig : code;
    }

    public static RootCommand Build(TextWriter output, TextWriter errors)
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "Path of the TOML config (default: $GOZAR_CONFIG, ./gozar.toml, ~/.config/gozar/gozar.toml)",
        };

        var run = new Command("run", "Run the proxy; creates a config with a fresh secret when there is none") { config };
        run.SetAction((result, cancellation) => RunCommand.RunAsync(result.GetValue(config), output, errors, cancellation));

        var user = new Option<string?>("--user", "-u") { Description = "Only this user's links" };
        var qr = new Option<string?>("--qr") { Description = "Write the user's QR code as an image file instead: svg or png" };
        qr.AcceptOnlyFromAmong("svg", "png");
        var qrOut = new Option<string?>("--out", "-o") { Description = "The image file --qr writes" };
        var link = new Command("link", "Print the users' tg:// and t.me links with a QR code") { config, user, qr, qrOut };
        link.SetAction(result => LinkCommand.Run(
            result.GetValue(config), result.GetValue(user), output, errors, result.GetValue(qr), result.GetValue(qrOut)));

        var domain = new Option<string?>("--tls-domain") { Description = "Domain for the fake-TLS (ee) form" };
        var secret = new Command("secret", "Generate a fresh secret in every form") { domain };
        secret.SetAction(result => SecretCommand.Run(result.GetValue(domain), output, errors));

        var selfTest = new Command("selftest", "Start a proxy, a fake DC and clients of every mode on loopback and check data both ways");
        selfTest.SetAction((_, cancellation) => SelfTest.SelfTestCommand.RunAsync(output, cancellation));

        var proxy = new Option<string>("--proxy") { Description = "The proxy to audit, HOST:PORT", Required = true };
        var mask = new Option<string>("--mask") { Description = "The site it masks as, HOST:PORT", Required = true };
        var sni = new Option<string?>("--sni") { Description = "SNI for the probes' TLS hellos (default: the secret's domain or the mask host)" };
        var auditSecret = new Option<string?>("--secret") { Description = "A user's secret: adds probes that need an authentic hello (skew, unknown SNI, replay)" };
        var wait = new Option<string>("--timeout") { Description = "How long to wait for a probe's connection to close", DefaultValueFactory = _ => "75s" };
        var audit = new Command("audit", "Probe the proxy and the mask site alike and report every difference a censor could see")
        {
            proxy, mask, sni, auditSecret, wait,
        };
        audit.SetAction((result, cancellation) =>
        {
            if (!Configuration.DurationSyntax.TryParse(result.GetValue(wait)!, out var timeout))
            {
                errors.WriteLine("gozar: --timeout: not a duration such as 30s or 2m");
                return Task.FromResult(ExitCodes.BadConfig);
            }

            // A site's idle timers are minutes at most, and a timer past about 49 days cannot be set at all.
            if (timeout > MaxAuditWait)
            {
                errors.WriteLine("gozar: --timeout: at most 1h");
                return Task.FromResult(ExitCodes.BadConfig);
            }

            return Audit.AuditCommand.RunAsync(
                result.GetValue(proxy)!, result.GetValue(mask)!, result.GetValue(sni), result.GetValue(auditSecret), timeout,
                output, errors, cancellation);
        });

        var tlsProfile = TlsProfileCommandLine.Build(output, errors);

        return new RootCommand("Gozar: an MTProto proxy for Telegram that looks like a website to everyone else")
        {
            run,
            link,
            secret,
            selfTest,
            audit,
            tlsProfile,
        };
    }
}
