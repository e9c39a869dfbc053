namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Result of <see cref="ClientHelloValidator.Validate"/>. <see cref="KeyIndex"/> and
/// <see cref="Timestamp"/> are set whenever a key matched (also for <see cref="ClientHelloOutcome.ClockSkew"/>
/// and <see cref="ClientHelloOutcome.UnknownSni"/>); the hello fields are set whenever it parsed.
/// </summary>
public readonly ref struct ClientHelloValidation
{
    internal ClientHelloValidation(
        ClientHelloOutcome outcome,
        ClientHello hello,
        int keyIndex,
        uint timestamp,
        int domainIndex)
    {
        Outcome = outcome;
        Hello = hello;
        KeyIndex = keyIndex;
        Timestamp = timestamp;
        DomainIndex = domainIndex;
    }

    public ClientHelloOutcome Outcome { get; }

    public bool IsAuthenticated => Outcome == ClientHelloOutcome.Authenticated;

    /// <summary>The parsed hello; default (empty spans) for NotAHello/Malformed.</summary>
    public ClientHello Hello { get; }

    /// <summary>Index into the keys that matched, or -1.</summary>
    public int KeyIndex { get; }

    /// <summary>The client's unix time (uint32 LE of the last 4 random bytes XOR HMAC), or 0.</summary>
    public uint Timestamp { get; }

    /// <summary>Index into the allowed domains that matched the SNI, or -1 (also when no list was given).</summary>
    public int DomainIndex { get; }

    public ReadOnlySpan<byte> ClientRandom => Hello.Random;

    public ReadOnlySpan<byte> SessionId => Hello.SessionId;

    public ReadOnlySpan<byte> ServerName => Hello.ServerName;

    public ushort CipherSuite => Hello.CipherSuite;
}
