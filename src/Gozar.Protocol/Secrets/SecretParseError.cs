namespace Gozar.Protocol.Secrets;

/// <summary>Why a secret string was refused by <see cref="ProxySecret.TryParse(string, out ProxySecret?, out SecretParseError)"/>.</summary>
public enum SecretParseError
{
    None,

    /// <summary>Neither hex nor base64url (standard base64 with <c>+</c> <c>/</c> lands here).</summary>
    BadEncoding,

    /// <summary>Decodes to fewer than 16 bytes.</summary>
    TooShort,

    /// <summary>16 or more bytes that match no layout, e.g. 17 bytes not starting 0xdd or a "long dd" secret.</summary>
    UnsupportedLayout,

    /// <summary>The domain of a fake-TLS secret is not an ASCII host name.</summary>
    InvalidDomain,

    /// <summary>The domain of a fake-TLS secret is shorter than 4 characters, which Telegram Desktop refuses.</summary>
    DomainTooShort,

    /// <summary>The domain of a fake-TLS secret is longer than 182 characters, which tdlib refuses.</summary>
    DomainTooLong,
}
