using System.Buffers.Binary;

namespace Gozar.Load.Wire;

/// <summary>What the fake DC does on a connection.</summary>
public enum CommandKind : byte
{
    /// <summary>Send every byte back.</summary>
    Echo = 1,

    /// <summary>Take <see cref="Command.Upload"/> bytes and check them, send <see cref="Command.Download"/> bytes.</summary>
    Stream = 2,
}

/// <summary>
/// The first tunnel bytes a load client sends, read by the fake DC:
/// <code>
///  0          8      9       12       16             24               32
///  | GZBENCH1 | kind | 0 0 0 | offset | upload bytes | download bytes |
/// </code>
/// Pattern positions of both directions start at offset. After a Stream command with upload bytes the DC sends one
/// status byte (<see cref="StatusOk"/> when every byte matched) after its download bytes.
/// </summary>
public readonly record struct Command(CommandKind Kind, int Offset, long Upload, long Download)
{
    public const int Length = 32;
    public const byte StatusOk = 1;
    public const byte StatusMismatch = 0;

    private const ulong Magic = 0x3148434E45425A47; // "GZBENCH1"

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Magic);
        destination[8] = (byte)Kind;
        destination[9..12].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], Offset);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Upload);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], Download);
    }

    public static bool TryRead(ReadOnlySpan<byte> source, out Command command)
    {
        command = new Command(
            (CommandKind)source[8],
            BinaryPrimitives.ReadInt32LittleEndian(source[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]));
        return BinaryPrimitives.ReadUInt64LittleEndian(source) == Magic
            && command.Kind is CommandKind.Echo or CommandKind.Stream
            && command.Offset is >= 0 and < Pattern.Period
            && command.Upload >= 0 && command.Download >= 0;
    }
}
