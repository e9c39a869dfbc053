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

/// <summary>How the DC's download bytes are checked.</summary>
public enum DownloadCheck : byte
{
    /// <summary>The DC encrypts the pattern; the client decrypts and compares.</summary>
    Plaintext = 0,

    /// <summary>
    /// After the first <see cref="Command.DecryptedPrefix"/> bytes (checked as <see cref="Plaintext"/>, which proves
    /// both ends hold the same keys), the DC sends the pattern itself as its ciphertext and the client compares the
    /// ciphertext it receives, neither side running its cipher. Only where nothing between them re-encrypts: Gozar in
    /// fast mode (spec §4.3), which passes the DC's ciphertext on, and the ceiling relay. Comparing the ciphertext checks
    /// every byte as strictly as decrypting and comparing would; it keeps the load core from being the bottleneck.
    /// </summary>
    Ciphertext = 1,
}

/// <summary>
/// The first tunnel bytes a load client sends, read by the fake DC:
/// <code>
///  0          8      9       10    12       16             24               32
///  | GZBENCH1 | kind | check | 0 0 | offset | upload bytes | download bytes |
/// </code>
/// Pattern positions of both directions start at offset. After a Stream command with upload bytes the DC sends one
/// status byte (<see cref="StatusOk"/> when every byte matched) after its download bytes.
/// <see cref="DownloadCheck.Ciphertext"/> is for download-only commands.
/// </summary>
public readonly record struct Command(CommandKind Kind, int Offset, long Upload, long Download, DownloadCheck Check = DownloadCheck.Plaintext)
{
    public const int Length = 32;
    public const byte StatusOk = 1;
    public const byte StatusMismatch = 0;

    /// <summary>Download bytes encrypted and decrypted as usual before a <see cref="DownloadCheck.Ciphertext"/> check.</summary>
    public const long DecryptedPrefix = 1 << 20;

    private const ulong Magic = 0x3148434E45425A47; // "GZBENCH1"

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Magic);
        destination[8] = (byte)Kind;
        destination[9] = (byte)Check;
        destination[10..12].Clear();
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
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            (DownloadCheck)source[9]);
        return BinaryPrimitives.ReadUInt64LittleEndian(source) == Magic
            && command.Kind is CommandKind.Echo or CommandKind.Stream
            && (command.Check == DownloadCheck.Plaintext || (command.Check == DownloadCheck.Ciphertext && command.Upload == 0))
            && command.Offset is >= 0 and < Pattern.Period
            && command.Upload >= 0 && command.Download >= 0;
    }
}
