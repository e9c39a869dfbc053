using System.Globalization;
using System.Text;
using Gozar.Configuration;
using Gozar.Fronting;
using Gozar.Protocol.FakeTls;

namespace Gozar.Cli;

/// <summary>
/// `gozar tls-profile fetch HOST[:PORT]`: captures the mask site's answer to a Telegram ClientHello into a profile
/// file that <c>[tls] profile</c> names, so the proxy's server flight has the site's shape (spec §5.6, §6.3).
/// </summary>
public static class TlsProfileCommand
{
    public const int DefaultSamples = 5;
    public const int MaxSamples = 100;
    private const int DefaultPort = 443;

    public static async Task<int> FetchAsync(
        string target, string? sni, string? outPath, int samples, TextWriter output, TextWriter errors, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (ParseTarget(target, out var site) is { } targetProblem)
        {
            errors.WriteLine($"gozar: tls-profile fetch: '{target}' {targetProblem}");
            return ExitCodes.BadConfig;
        }

        var serverName = sni ?? site.Host;
        if (!HostSyntax.IsHostName(serverName) || HostSyntax.TryParseIPv4(serverName, out _))
        {
            errors.WriteLine(sni is null
                ? $"gozar: tls-profile fetch: {site.Host} is an IP address: name the site with --sni"
                : $"gozar: tls-profile fetch: --sni: '{sni}' is not a DNS host name");
            return ExitCodes.BadConfig;
        }

        if (samples is < 1 or > MaxSamples)
        {
            errors.WriteLine($"gozar: tls-profile fetch: --samples: must be 1..{MaxSamples}");
            return ExitCodes.BadConfig;
        }

        var path = Path.GetFullPath(outPath ?? $"{serverName.ToLowerInvariant()}.tls-profile.json");
        var fetched = await new TlsProfileFetcher(TimeProvider.System).FetchAsync(site, serverName, samples, cancellation).ConfigureAwait(false);
        if (fetched.Profile is not { } profile)
        {
            errors.WriteLine($"gozar: tls-profile fetch: {site}: {fetched.Problem}");
            return ExitCodes.Failure;
        }

        try
        {
            await File.WriteAllTextAsync(path, TlsProfileJson.Write(profile), cancellation).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"gozar: tls-profile fetch: cannot write {path}: {exception.Message}");
            return ExitCodes.Failure;
        }

        output.Write(Describe(profile));
        output.WriteLine($"Wrote {path}");
        output.WriteLine("Point the config at it:");
        output.WriteLine("  [tls]");
        output.WriteLine($"  profile = \"{path.Replace("\\", "\\\\", StringComparison.Ordinal)}\"");
        return ExitCodes.Ok;
    }

    /// <summary>The profile and the fake flight it makes, a few lines for the operator.</summary>
    public static string Describe(TlsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"{profile.Source}");
        text.AppendLine(culture, $"  cipher suite {TlsProfileJson.CipherSuiteName(profile.CipherSuite)}, key share {TlsProfileJson.GroupName(profile.KeyShareGroup)}, ServerHello extensions {(profile.ExtensionOrder == ServerHelloExtensionOrder.KeyShareFirst ? "key_share, supported_versions" : "supported_versions, key_share")}");
        text.Append(culture, $"  {profile.EncryptedRecords.Count} encrypted record(s):");
        foreach (var range in profile.EncryptedRecords)
        {
            if (range.Minimum == range.Maximum)
            {
                text.Append(culture, $" {range.Minimum}");
            }
            else
            {
                text.Append(culture, $" {range.Minimum}..{range.Maximum}");
            }
        }

        var data = profile.ApplicationDataLength;
        text.AppendLine();
        text.AppendLine(culture, $"  fake flight: ServerHello, ChangeCipherSpec, one ApplicationData record of {data.Minimum}..{data.Maximum} bytes");
        return text.ToString();
    }

    /// <summary>"host", "host:port", "a.b.c.d[:port]", "[v6][:port]" or a bare IPv6 literal; port 443 when absent.</summary>
    private static string? ParseTarget(string text, out HostEndpoint site)
    {
        site = new HostEndpoint(string.Empty, 0);
        if (HostSyntax.TryParseIPv6(text, out var bare))
        {
            site = new HostEndpoint(bare.ToString(), DefaultPort);
            return null;
        }

        var problem = HostSyntax.TryParseHostPort(text, out var host, out var port);
        if (problem == HostSyntax.NoPort)
        {
            problem = HostSyntax.TryParseHostPort(
                text.EndsWith(']') ? text + ":443" : $"{text}:{DefaultPort.ToString(CultureInfo.InvariantCulture)}", out host, out port);
        }

        if (problem is null)
        {
            site = new HostEndpoint(host, port);
        }

        return problem;
    }
}
