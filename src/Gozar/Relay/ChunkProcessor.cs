namespace Gozar.Relay;

/// <summary>
/// What a pump does to each chunk between receiving and sending: re-encrypt, unwrap or wrap TLS records. Works in
/// place on the pump's buffer so no chunk is copied.
/// </summary>
public abstract class ChunkProcessor
{
    /// <summary>Bytes kept free before received data, e.g. for a TLS record header.</summary>
    public virtual int ReceiveOffset => 0;

    /// <summary>Most bytes one receive may take when <paramref name="capacity"/> bytes follow the offset.</summary>
    public virtual int MaxReceive(int capacity) => capacity;

    /// <summary>
    /// Processes <paramref name="received"/> bytes at <see cref="ReceiveOffset"/> of <paramref name="buffer"/> and says
    /// which bytes to send. Returns false when the peer broke the protocol; the bytes it says to send (those before the
    /// break) are still sent, then the direction ends.
    /// </summary>
    public abstract bool Process(Span<byte> buffer, int received, out int sendStart, out int sendLength);

    /// <summary>The direction is about to wait for its source: let go of what only a busy stream needs.</summary>
    public virtual void Rest()
    {
    }
}

/// <summary>Sends what it receives: the mask relay.</summary>
public sealed class PassThroughProcessor : ChunkProcessor
{
    public static readonly PassThroughProcessor Instance = new();

    public override bool Process(Span<byte> buffer, int received, out int sendStart, out int sendLength)
    {
        sendStart = 0;
        sendLength = received;
        return true;
    }
}
