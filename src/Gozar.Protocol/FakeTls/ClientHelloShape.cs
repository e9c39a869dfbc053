namespace Gozar.Protocol.FakeTls;

/// <summary>Which Telegram client's ClientHello <see cref="ClientHelloBuilder"/> imitates (spec §5.1).</summary>
public enum ClientHelloShape
{
    /// <summary>Telegram Desktop / older tdlib: X25519 key share only, padded to 517 bytes.</summary>
    Classic,

    /// <summary>Current tdlib: adds a 1216-byte X25519MLKEM768 key share, ALPS and GREASE ECH; about 1.8 KB, unpadded.</summary>
    PostQuantum,
}
