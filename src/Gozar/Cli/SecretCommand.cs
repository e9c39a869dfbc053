using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.Protocol.Secrets;

namespace Gozar.Cli;

/// <summary>`gozar secret`: a fresh key in every form a client or config accepts.</summary>
public static class SecretCommand
{
    public static int Run(string? tlsDomain, TextWriter output, TextWriter errors)
    {
        var domain = tlsDomain ?? RunCommand.DefaultTlsDomain;
        var problem = ConfigLoader.TlsDomainProblem(domain.ToLowerInvariant())
            ?? (ProxySecret.IsValidDomain(domain) ? null : "is not a host name a client accepts");
        if (problem is not null)
        {
            errors.WriteLine($"gozar: --tls-domain: '{domain}' {problem}");
            return ExitCodes.BadConfig;
        }

        var key = RandomNumberGenerator.GetBytes(ProxySecret.KeyLength);
        try
        {
            var classic = ProxySecret.Classic(key);
            var secure = ProxySecret.Secure(key);
            var tls = ProxySecret.FakeTls(key, domain);
            output.WriteLine($"key (for [users] in gozar.toml)  {classic.ToHex()}");
            output.WriteLine($"classic                          {classic.ToHex()}");
            output.WriteLine($"secure (dd)                      {secure.ToHex()}");
            output.WriteLine($"fake-TLS (ee, {domain})".PadRight(33) + tls.ToHex());
            output.WriteLine($"fake-TLS, base64url              {tls.ToBase64Url()}");
            output.WriteLine($"secure, base64url                {secure.ToBase64Url()}");
            return ExitCodes.Ok;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
