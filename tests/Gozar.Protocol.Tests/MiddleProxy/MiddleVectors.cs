namespace Gozar.Protocol.Tests.MiddleProxy;

/// <summary>The inputs and outputs of spec §8.5 and §8.6, as printed there.</summary>
internal static class MiddleVectors
{
    public static readonly byte[] Secret = Convert.FromHexString(
        "c4f9faca9678e6bb48ad6c7e2ce5c0d24430645d554addeb55419e034da62721"
        + "d046eaab6e52ab14a95a443ecfb3463e79a05a66612adf9caeda8be9a80da698"
        + "6fb0a6ff387af84d88ef3a6413713e5c3377f6e1a3d47d99f5e0c56eece8f05c"
        + "54c490b079e31bef82ff0ee8f2b0a32756d249c5f21269816cb7061b265db212");

    public static readonly byte[] ClientNonce = Convert.FromHexString("0102030405060708090a0b0c0d0e0f10");
    public static readonly byte[] ServerNonce = Convert.FromHexString("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    public const uint CryptoTime = 1700000000;
    public static readonly byte[] MeIpv4 = [149, 154, 175, 50];
    public static readonly byte[] ProxyIpv4 = [203, 0, 113, 10];
    public const ushort MePort = 8888;
    public const ushort ProxyPort = 54321;
    public static readonly byte[] MeIpv6 = System.Net.IPAddress.Parse("2001:b28:f23d:f001::d").GetAddressBytes();
    public static readonly byte[] ProxyIpv6 = System.Net.IPAddress.Parse("2001:db8::10").GetAddressBytes();

    public const string OurNonceFrame = "2c000000feffffffaa87cb7ac4f9faca0100000000f153650102030405060708090a0b0c0d0e0f100f30a565";
    public const string MeNonceFrame = "2c000000feffffffaa87cb7ac4f9faca0100000001f15365a0a1a2a3a4a5a6a7a8a9aaabacadaeafd7afabbb";

    public const string ClientKdfString =
        "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0102030405060708090a0b0c0d0e0f10"
        + "00f1536532af9a9531d4434c49454e540a7100cbb822c4f9faca9678e6bb48ad"
        + "6c7e2ce5c0d24430645d554addeb55419e034da62721d046eaab6e52ab14a95a"
        + "443ecfb3463e79a05a66612adf9caeda8be9a80da6986fb0a6ff387af84d88ef"
        + "3a6413713e5c3377f6e1a3d47d99f5e0c56eece8f05c54c490b079e31bef82ff"
        + "0ee8f2b0a32756d249c5f21269816cb7061b265db212a0a1a2a3a4a5a6a7a8a9"
        + "aaabacadaeaf0102030405060708090a0b0c0d0e0f10";

    public const string WriteKey = "0871d11c01761d00580e5782306e378942c8ea83ec10ad78188ebc86c0303dd3";
    public const string WriteIv = "f8c47f37b78794b335a3463a8c014b02";
    public const string ReadKey = "670c0faf74f4a08eca4aad8665125a06997ae283e5c2fb3669b814be50c18e62";
    public const string ReadIv = "1b282c8a3832f6c5a2958d8c73292b84";

    public const string WriteKeyV6 = "682ddf71d3a227b6a40e6b716d9c9eadf586752b4509d146c0915a78a4f325fc";
    public const string WriteIvV6 = "fa2367baaec490bcdf9268a854b4044a";
    public const string ReadKeyV6 = "4e921e41017dff29345d32b9abef8e3f98acb970d6ad0831438284b01a7a7c0a";
    public const string ReadIvV6 = "5f3bde5590bd23790be6791fb0c3e38e";

    public const string HandshakePayload = "f5ee8276000000000a7100cb31d4341200f1536532af9a95b822000000000000";
    public const string HandshakeFrame = "2c000000fffffffff5ee8276000000000a7100cb31d4341200f1536532af9a95b822000000000000a7a7df4a04000000";
    public const string HandshakeCipher =
        "b4c1cabadd7bf4dadcd01968f12573eef00ec996a2bd28617b8126df70874ee04d840b2ab340966e64f3ea136668f322";

    public static readonly byte[] AdTag = Convert.FromHexString("dcbe8f1493fa4cd9ab300891c0b5b326");
    public const long ConnId = 0x0102030405060708;
    public static readonly byte[] Packet = Convert.FromHexString(
        "0000000000000000" + "3d02185b14000000" + "000102030405060708090a0b0c0d0e0f1011121314151617");

    public const string ProxyRequestPayload =
        "eef1ce360a100228080706050403020100000000000000000000ffffc6336407"
        + "409c000000000000000000000000ffffcb00710abb01000018000000ae261edb"
        + "10dcbe8f1493fa4cd9ab300891c0b5b32600000000000000000000003d02185b"
        + "14000000000102030405060708090a0b0c0d0e0f1011121314151617";

    public const string ProxyRequestFrame =
        "8800000000000000eef1ce360a10022808070605040302010000000000000000"
        + "0000ffffc6336407409c000000000000000000000000ffffcb00710abb010000"
        + "18000000ae261edb10dcbe8f1493fa4cd9ab300891c0b5b32600000000000000"
        + "000000003d02185b14000000000102030405060708090a0b0c0d0e0f10111213"
        + "141516177359bcc30400000004000000";

    public const string ProxyRequestCipher =
        "79892a285681a3a87e208311212509fc4e61555a2e987ace41d82d652f316402"
        + "6ebbbfd12c475f4e6e632a3fbd1dd9c8efaa701a0c9f9aabf4d3ec710e08044c"
        + "c31f60f16ff2df4af23753c04b1a630805288994743a0a2bf692a16ccbb4e3a6"
        + "f1568033e6b48f758a7df6e0408734081b73aff522cbcd6d03a4721dc5881c3c"
        + "c9b1807387eafe6f7ee81fc5b65bc30a";

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
