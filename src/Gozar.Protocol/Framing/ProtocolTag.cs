namespace Gozar.Protocol.Framing;

/// <summary>
/// The transport framing a client announces in bytes 56..60 of its obfuscated2 init (spec §2.1, §3).
/// Values are the four tag bytes read as a little-endian uint32.
/// </summary>
public enum ProtocolTag : uint
{
    Abridged = 0xefefefef,
    Intermediate = 0xeeeeeeee,
    PaddedIntermediate = 0xdddddddd,
}
