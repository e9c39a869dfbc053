using System.Buffers.Binary;
using System.Text;

namespace Gozar.FakeDc.Tl;

/// <summary>
/// Reads TL-serialized values (little-endian words; bytes/string as a 1-byte length, or 0xfe and a 3-byte length,
/// then the data padded to 4). Truncated or malformed input throws <see cref="TlException"/>.
/// </summary>
public ref struct TlReader
{
    private const byte LongLengthMarker = 0xfe;
    private readonly ReadOnlySpan<byte> _data;

    public TlReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public uint ReadConstructor() => ReadUInt32();

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadRaw(4));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadRaw(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadRaw(8));

    public ReadOnlySpan<byte> ReadRaw(int length)
    {
        if (length < 0 || length > Remaining)
        {
            throw new TlException($"Wanted {length} bytes at offset {Position}, {Remaining} left.");
        }

        var slice = _data.Slice(Position, length);
        Position += length;
        return slice;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        int length;
        int header;
        var first = ReadRaw(1)[0];
        if (first == LongLengthMarker)
        {
            var rest = ReadRaw(3);
            length = rest[0] | (rest[1] << 8) | (rest[2] << 16);
            header = 4;
        }
        else
        {
            length = first;
            header = 1;
        }

        var value = ReadRaw(length);
        ReadRaw((4 - ((header + length) % 4)) % 4);
        return value;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    public bool ReadBool() => ReadConstructor() switch
    {
        TlIds.BoolTrue => true,
        TlIds.BoolFalse => false,
        var other => throw new TlException($"Expected a Bool, got constructor {other:x8}."),
    };

    /// <summary>Reads a boxed vector's header and returns its element count.</summary>
    public int ReadVectorHeader()
    {
        var constructor = ReadConstructor();
        if (constructor != TlIds.Vector)
        {
            throw new TlException($"Expected a vector, got constructor {constructor:x8}.");
        }

        var count = ReadInt32();
        return count < 0 || count > Remaining ? throw new TlException($"Vector of {count} elements in {Remaining} bytes.") : count;
    }

    public readonly ReadOnlySpan<byte> Rest => _data[Position..];
}
