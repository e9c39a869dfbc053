using System.Buffers.Binary;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Forward writer for building TLS structures whose length prefixes are only known once their
/// body is written: <see cref="BeginVector16"/> reserves the prefix, <see cref="EndVector16"/> fills it.
/// The destination must be large enough; callers size it from their own length formulas.
/// </summary>
internal ref struct WireWriter
{
    private readonly Span<byte> _destination;
    private int _position;

    public WireWriter(Span<byte> destination)
    {
        _destination = destination;
        _position = 0;
    }

    public readonly int Position => _position;

    public void WriteByte(byte value) => _destination[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_position..], value);
        _position += 2;
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[_position..]);
        _position += value.Length;
    }

    public void WriteZeros(int count)
    {
        _destination.Slice(_position, count).Clear();
        _position += count;
    }

    /// <summary>Returns the next <paramref name="count"/> bytes for the caller to fill and moves past them.</summary>
    public Span<byte> Advance(int count)
    {
        var slot = _destination.Slice(_position, count);
        _position += count;
        return slot;
    }

    /// <summary>Reserves a 2-byte BE length prefix; returns its offset for <see cref="EndVector16"/>.</summary>
    public int BeginVector16()
    {
        var at = _position;
        _position += 2;
        return at;
    }

    public readonly void EndVector16(int prefixOffset)
    {
        var length = _position - prefixOffset - 2;
        BinaryPrimitives.WriteUInt16BigEndian(_destination[prefixOffset..], checked((ushort)length));
    }

    /// <summary>Reserves a 3-byte BE length prefix (handshake message header).</summary>
    public int BeginVector24()
    {
        var at = _position;
        _position += 3;
        return at;
    }

    public readonly void EndVector24(int prefixOffset)
    {
        var length = _position - prefixOffset - 3;
        _destination[prefixOffset] = (byte)(length >> 16);
        _destination[prefixOffset + 1] = (byte)(length >> 8);
        _destination[prefixOffset + 2] = (byte)length;
    }
}
