using System.Security.Cryptography;
using Gozar.Protocol.Crypto;

namespace Gozar.Sessions;

/// <summary>
/// Key shares for fake-TLS flights, made a batch at a time (<see cref="X25519.CreatePublicKeys"/>: one inversion per
/// batch instead of one per key) and each handed out once. Per thread, so a handshake never waits for another's batch;
/// a batch drawn from another random source (a test's pinned one) is dropped, so every key comes from the caller's.
/// </summary>
internal static class KeyShareBatch
{
    // Half the candidates are on the curve: about sixteen keys per batch, each carrying a sixteenth of the inversion.
    private const int Candidates = X25519.MaxBatch;

    [ThreadStatic]
    private static Batch? _batch;

    /// <summary>Writes a fresh X25519 public key whose secret nobody knows, uniform in the prime-order subgroup.</summary>
    public static void Take(IRandomSource random, Span<byte> publicKey)
    {
        var batch = _batch ??= new Batch();
        if (batch.Source != random || batch.Available == 0)
        {
            batch.Refill(random);
        }

        if (batch.Available > 0)
        {
            batch.Available--;
            batch.Keys.AsSpan(batch.Available * X25519.PointSize, X25519.PointSize).CopyTo(publicKey);
            return;
        }

        // Every candidate off the curve: a source that is not random (a pinned one in a test). A real key
        // from a scalar it gives instead of a loop without end.
        Span<byte> scalar = stackalloc byte[X25519.ScalarSize];
        random.Fill(scalar);
        X25519.PublicKeyFromPrivate(scalar, publicKey);
        CryptographicOperations.ZeroMemory(scalar);
    }

    private sealed class Batch
    {
        public byte[] Keys { get; } = new byte[Candidates * X25519.PointSize];

        public IRandomSource? Source { get; private set; }

        public int Available { get; set; }

        public void Refill(IRandomSource random)
        {
            Span<byte> candidates = stackalloc byte[Candidates * X25519.PointSize];
            random.Fill(candidates);
            Source = random;
            Available = X25519.CreatePublicKeys(candidates, Keys);
        }
    }
}
