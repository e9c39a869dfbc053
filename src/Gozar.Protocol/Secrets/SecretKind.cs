namespace Gozar.Protocol.Secrets;

/// <summary>The three secret layouts a client can be given (spec §1.2).</summary>
public enum SecretKind
{
    /// <summary>The bare 16-byte key; obfuscated2 with any inner framing.</summary>
    Classic,

    /// <summary><c>0xdd</c> + key; obfuscated2, client uses padded intermediate.</summary>
    Secure,

    /// <summary><c>0xee</c> + key + domain; fake-TLS wrapper with the domain as SNI.</summary>
    FakeTls,
}
