using System.Collections.Concurrent;
using Gozar.FakeDc.Handshake;
using Gozar.Protocol.Framing;

namespace Gozar.FakeDc;

public enum DcEventKind
{
    /// <summary>An obfuscated2 init without secret was accepted.</summary>
    Connected,

    /// <summary>A key exchange finished with dh_gen_ok.</summary>
    KeyCreated,

    /// <summary>An API call or service message was answered.</summary>
    Handled,

    /// <summary>Something a real DC would refuse; the connection was closed or the call answered with an error.</summary>
    Problem,

    /// <summary>A sound req_DH_params for a key the DC lists but does not hold; the connection was closed.</summary>
    ForeignKeyRequest,
}

public sealed record DcEvent(DcEventKind Kind, string Detail);

/// <summary>What the fake DC saw, in order, for assertions and for failure messages.</summary>
public sealed class DcEvents
{
    private readonly ConcurrentQueue<DcEvent> _events = new();
    private readonly ConcurrentQueue<(ProtocolTag Tag, short DcId)> _connections = new();
    private readonly ConcurrentQueue<RsaScheme> _schemes = new();
    private readonly ConcurrentQueue<long> _foreignKeyRequests = new();
    private readonly TextWriter? _trace;

    public DcEvents(TextWriter? trace) => _trace = trace;

    public IReadOnlyCollection<DcEvent> All => _events;

    /// <summary>Framing and DC index of every accepted connection.</summary>
    public IReadOnlyCollection<(ProtocolTag Tag, short DcId)> Connections => _connections;

    /// <summary>The RSA scheme of every finished key exchange.</summary>
    public IReadOnlyCollection<RsaScheme> KeySchemes => _schemes;

    /// <summary>The fingerprint of every sound req_DH_params for a foreign key (<see cref="FakeDcOptions.ForeignKeyFingerprints"/>).</summary>
    public IReadOnlyCollection<long> ForeignKeyRequests => _foreignKeyRequests;

    public IEnumerable<string> Problems => _events.Where(e => e.Kind == DcEventKind.Problem).Select(e => e.Detail);

    public override string ToString() => string.Join(Environment.NewLine, _events.Select(e => $"{e.Kind}: {e.Detail}"));

    internal void Connected(ProtocolTag tag, short dcId)
    {
        _connections.Enqueue((tag, dcId));
        Add(DcEventKind.Connected, $"{tag} dc {dcId}");
    }

    internal void KeyCreated(RsaScheme scheme, long keyId, int keyLength)
    {
        _schemes.Enqueue(scheme);
        Add(DcEventKind.KeyCreated, $"{scheme} key {keyId:x16} ({keyLength} bytes)");
    }

    internal void ForeignKeyRequest(long fingerprint)
    {
        _foreignKeyRequests.Enqueue(fingerprint);
        Add(DcEventKind.ForeignKeyRequest, $"req_DH_params for key {fingerprint:x16}, nonces, p and q as in resPQ");
    }

    internal void Handled(string what) => Add(DcEventKind.Handled, what);

    internal void Problem(string what) => Add(DcEventKind.Problem, what);

    private void Add(DcEventKind kind, string detail)
    {
        _events.Enqueue(new DcEvent(kind, detail));
        _trace?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {kind}: {detail}");
    }
}
