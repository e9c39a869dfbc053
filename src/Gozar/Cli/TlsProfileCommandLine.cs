using System.CommandLine;

namespace Gozar.Cli;

/// <summary>The `gozar tls-profile` command group.</summary>
public static class TlsProfileCommandLine
{
    public static Command Build(TextWriter output, TextWriter errors)
    {
        var target = new Argument<string>("HOST[:PORT]") { Description = "The TLS site to imitate, usually the mask host (port 443 by default)" };
        var sni = new Option<string?>("--sni") { Description = "Server name to send (default: HOST)" };
        var outPath = new Option<string?>("--out", "-o") { Description = "Profile file to write (default: ./SNI.tls-profile.json)" };
        var samples = new Option<int>("--samples", "-n")
        {
            Description = "Connections to take (1..100)",
            DefaultValueFactory = _ => TlsProfileCommand.DefaultSamples,
        };
        var fetch = new Command("fetch", "Capture a TLS site's server flight into a profile file for [tls] profile") { target, sni, outPath, samples };
        fetch.SetAction((result, cancellation) => TlsProfileCommand.FetchAsync(
            result.GetValue(target)!, result.GetValue(sni), result.GetValue(outPath), result.GetValue(samples), output, errors, cancellation));
        return new Command("tls-profile", "Shape the fake-TLS server flight like a real site's") { fetch };
    }
}
