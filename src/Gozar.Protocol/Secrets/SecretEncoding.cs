namespace Gozar.Protocol.Secrets;

/// <summary>How a secret is spelled in a link (spec §1.2). Hex is what every client understands.</summary>
public enum SecretEncoding
{
    Hex,
    Base64Url,
}
