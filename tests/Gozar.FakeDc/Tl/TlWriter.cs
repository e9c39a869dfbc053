using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gozar.FakeDc.Tl;

/// <summary>Writes TL-serialized values into a growing buffer (see <see cref="TlReader"/> for the encoding).</summary>
public sealed class TlWriter
{
    private const int MaxShortLength = 253;
    private const byte LongLengthMarker = 0xfe;
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public TlWriter UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public TlWriter Int32(int value) => UInt32((uint)value);

    public TlWriter Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public TlWriter Raw(ReadOnlySpan<byte> value)
    {
        _buffer.Write(value);
        return this;
    }

    public TlWriter Bytes(ReadOnlySpan<byte> value)
    {
        int header;
        if (value.Length <= MaxShortLength)
        {
            _buffer.Write([(byte)value.Length]);
            header = 1;
        }
        else
        {
            _buffer.Write([LongLengthMarker, (byte)value.Length, (byte)(value.Length >> 8), (byte)(value.Length >> 16)]);
            header = 4;
        }

        _buffer.Write(value);
        var padding = (4 - ((header + value.Length) % 4)) % 4;
        _buffer.GetSpan(padding)[..padding].Clear();
        _buffer.Advance(padding);
        return this;
    }

    public TlWriter String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

    public TlWriter Bool(bool value) => UInt32(value ? TlIds.BoolTrue : TlIds.BoolFalse);

    public TlWriter VectorHeader(int count) => UInt32(TlIds.Vector).Int32(count);
}
