using FsCheck;
using FsCheck.Fluent;
using Gozar.Protocol.Secrets;

namespace Gozar.Protocol.Tests.Secrets;

/// <summary>Generators of valid secrets and of text that looks enough like a secret to reach the decoders.</summary>
internal static class SecretGen
{
    private const string LabelChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string NearSecretChars = "0123456789abcdefABCDEFxyzXYZ-_=+/% .\u00e9";

    public static Gen<byte[]> Key { get; } = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(ProxySecret.KeyLength);

    public static Gen<string> Label { get; } =
        Gen.Elements(LabelChars.ToCharArray()).ArrayOf().Where(c => c.Length is > 0 and <= 63).Select(c => new string(c));

    /// <summary>Host names of 4..182 characters whose last label is alphabetic.</summary>
    public static Gen<string> Domain { get; } =
        from labels in Label.ArrayOf().Where(l => l.Length <= 4)
        from top in Gen.Elements("com", "org", "example", "xn--p1ai", "io")
        let name = string.Join('.', [.. labels, top])
        where name.Length is >= ProxySecret.MinDomainLength and <= ProxySecret.MaxDomainLength
        select name;

    public static Gen<ProxySecret> Secret { get; } =
        from key in Key
        from kind in Gen.Elements(SecretKind.Classic, SecretKind.Secure, SecretKind.FakeTls)
        from domain in Domain
        select kind switch
        {
            SecretKind.Classic => ProxySecret.Classic(key),
            SecretKind.Secure => ProxySecret.Secure(key),
            _ => ProxySecret.FakeTls(key, domain),
        };

    public static Gen<string> NearSecretText { get; } =
        Gen.Elements(NearSecretChars.ToCharArray()).ArrayOf().Select(c => new string(c));
}
