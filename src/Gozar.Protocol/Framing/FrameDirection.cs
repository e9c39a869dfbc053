namespace Gozar.Protocol.Framing;

/// <summary>
/// Which way frames travel. It decides what a set top bit means (spec §3): from a client it requests a quick-ack,
/// from a server it marks a quick-ack answer. It also bounds padded-intermediate padding (client 0..15, server 0..3).
/// </summary>
public enum FrameDirection
{
    ClientToServer,
    ServerToClient,
}
