namespace Gozar.Protocol.Framing;

/// <summary>
/// Frame headers of the three transports (spec §3.1-3.3; n = packet bytes, p = padding bytes, qa = quick-ack bit):
/// <code>
/// abridged short   [ n/4 | qa&lt;&lt;7 ]                       n/4 &lt; 0x7f
/// abridged long    [ 0x7f | qa&lt;&lt;7 ][ n/4 (3 bytes LE) ]   0x7f &lt;= n/4 &lt; 2^24
/// intermediate     [ n | qa&lt;&lt;31 (4 bytes LE) ] packet
/// padded           [ (n+p) | qa&lt;&lt;31 (4 bytes LE) ] packet padding
/// quick-ack answer [ token (4 bytes; abridged BE, others LE) ]   token has bit 31 set
/// </code>
/// </summary>
internal static class FrameLayout
{
    public const int ShortHeaderLength = 1;
    public const int LongHeaderLength = 4;
    public const int QuickAckAnswerLength = 4;

    public const int WordSize = 4;
    public const byte AbridgedQuickAckBit = 0x80;
    public const byte AbridgedLongMarker = 0x7f;
    public const int AbridgedMaxWords = 0xffffff;
    public const uint QuickAckBit = 0x80000000;

    /// <summary>Bit 30 of an intermediate length: must be clear (spec §3.3, <c>n &amp; 0xc0000000 == 0</c>).</summary>
    public const uint ReservedLengthBit = 0x40000000;

    public const int MaxIntermediateLength = 0x3fffffff;
}
