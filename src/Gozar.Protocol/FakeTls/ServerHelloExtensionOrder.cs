namespace Gozar.Protocol.FakeTls;

/// <summary>Order of the two ServerHello extensions; imitate the mask site (spec §5.6, §6.3).</summary>
public enum ServerHelloExtensionOrder
{
    KeyShareFirst,
    SupportedVersionsFirst,
}
