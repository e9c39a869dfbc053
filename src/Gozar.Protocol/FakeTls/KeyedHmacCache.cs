using System.Buffers.Binary;
using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// HMAC-SHA256 keyed once per 16-byte user key and thread (<see cref="HmacSha256"/>: the key's two pad blocks hashed
/// once), reused for every hello and flight of that user, since a hello is checked against every user in turn.
/// </summary>
/// <remarks>
/// Per thread, so no lookup takes a lock. <see cref="ForgetAll"/> (a reload) has each thread start its table over at
/// its next use, so removed users' keys do not stay for the life of the process; past <see cref="MaxContexts"/> keys a
/// table starts over too, and a thread's table goes with the thread.
/// </remarks>
internal static class KeyedHmacCache
{
    public const int KeyLength = 16;
    public const int MaxContexts = 4096;

    private static int _generation;

    [ThreadStatic]
    private static Dictionary<UInt128, HmacSha256>? _threadContexts;

    [ThreadStatic]
    private static int _threadGeneration;

    /// <summary>How many keys the calling thread holds a context for.</summary>
    public static int CountOnThisThread => _threadContexts?.Count ?? 0;

    /// <summary>The calling thread's HMAC for <paramref name="key"/>; null for keys of another length.</summary>
    public static HmacSha256? For(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            return null;
        }

        var contexts = _threadContexts ??= [];
        var generation = Volatile.Read(ref _generation);
        if (_threadGeneration != generation)
        {
            contexts.Clear();
            _threadGeneration = generation;
        }

        var id = BinaryPrimitives.ReadUInt128LittleEndian(key);
        if (contexts.TryGetValue(id, out var context))
        {
            return context;
        }

        if (contexts.Count >= MaxContexts)
        {
            contexts.Clear();
        }

        context = new HmacSha256(key);
        contexts.Add(id, context);
        return context;
    }

    /// <summary>Every thread drops all its contexts at its next use (the configured keys changed).</summary>
    public static void ForgetAll() => Interlocked.Increment(ref _generation);
}
