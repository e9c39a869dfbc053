namespace Gozar.Protocol.FakeTls;

/// <summary>The choices for one ServerHello flight (spec §5.6), made by <see cref="TlsProfile.Choose"/>.</summary>
/// <param name="KeyShareGroup">x25519 or X25519MLKEM768 (see <see cref="ServerHelloFlight.GetKeyShareLength"/>).</param>
/// <param name="ApplicationDataLength">Payload length of the one ApplicationData record, 1..16384.</param>
public readonly record struct ServerFlightShape(
    ushort CipherSuite,
    ServerHelloExtensionOrder ExtensionOrder,
    ushort KeyShareGroup,
    int ApplicationDataLength);
