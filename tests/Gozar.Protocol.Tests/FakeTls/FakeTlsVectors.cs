namespace Gozar.Protocol.Tests.FakeTls;

/// <summary>Spec §8.3 and §8.4 test vectors (hex in wire order) and the inputs that produced them.</summary>
internal static class FakeTlsVectors
{
    public const string Key = "00112233445566778899aabbccddeeff";
    public const string Domain = "example.com";
    public const long HelloUnixTime = 1700000000;

    public const string SessionId = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";

    public const string ClientX25519Key = "2f2b3e5c8d0c1a6e59a0d2b6f1c9e3a4b5d6e7f8091a2b3c4d5e6f708192a334";

    /// <summary>GREASE seeds giving 0a0a, 1a1a, 2a2a, 3a3a, 4a4a as in the §8.3 hello.</summary>
    public const string GreaseSeeds = "0010203040";

    public const string ClientHelloHmac = "820904a4ec65ceb94d10be4e0ea3c649b16c9d6b01f7fbe0c2b10116f3398f48";

    public const string ClientRandom = "820904a4ec65ceb94d10be4e0ea3c649b16c9d6b01f7fbe0c2b10116f3c8dc2d";

    public const string ClientHelloRecord =
        "1603010200010001fc0303820904a4ec65ceb94d10be4e0ea3c649b16c9d6b01" +
        "f7fbe0c2b10116f3c8dc2d20a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3" +
        "b4b5b6b7b8b9babbbcbdbebf00200a0a130113021303c02bc02fc02cc030cca9" +
        "cca8c013c014009c009d002f0035010001931a1a000000000010000e00000b65" +
        "78616d706c652e636f6d00170000ff01000100000a000a00082a2a001d001700" +
        "18000b00020100002300000010000e000c02683208687474702f312e31000500" +
        "050100000000000d001200100403080404010503080505010806060100120000" +
        "0033002b00292a2a000100001d00202f2b3e5c8d0c1a6e59a0d2b6f1c9e3a4b5" +
        "d6e7f8091a2b3c4d5e6f708192a334002d00020101002b0007063a3a03040303" +
        "001b00030200024a4a000100001500d500000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000";

    public const string ServerX25519Key = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c";

    public const string ServerRandom = "6108005b89549e56d0af973ee02c12b4101bd47a1c4c16501a653dea874e572e";

    public const string ServerFlightRecords =
        "160303007a0200007603036108005b89549e56d0af973ee02c12b4101bd47a1c" +
        "4c16501a653dea874e572e20a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3" +
        "b4b5b6b7b8b9babbbcbdbebf130100002e00330024001d002007a37cbc142093" +
        "c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c002b0002030414" +
        "03030001011703030064000306090c0f1215181b1e2124272a2d303336393c3f" +
        "4245484b4e5154575a5d606366696c6f7275787b7e8184878a8d909396999c9f" +
        "a2a5a8abaeb1b4b7babdc0c3c6c9cccfd2d5d8dbdee1e4e7eaedf0f3f6f9fcff" +
        "0205080b0e1114171a1d20232629";

    /// <summary>The client's first records after the hello: CCS, then ApplicationData of 0x57 bytes.</summary>
    public const string ClientFirstRecords =
        "140303000101170303005710171e252c333a41484f565d646b727980878e959c" +
        "a3aab1b8bfc6cdd4dbe2e9f0f7fe050c131a21282f363d444b525960676e757c" +
        "838a91fe43d10fee31f7e17a682f73f84146a94420aa80f87eca4040cc8a3afe" +
        "628b";

    /// <summary>§8.1: the 64-byte wire init followed by the 23-byte first frame ciphertext.</summary>
    public const string ClientFirstPayload =
        "10171e252c333a41484f565d646b727980878e959ca3aab1b8bfc6cdd4dbe2e9" +
        "f0f7fe050c131a21282f363d444b525960676e757c838a91fe43d10fee31f7e1" +
        "7a682f73f84146a94420aa80f87eca4040cc8a3afe628b";

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex);

    /// <summary>The §8.4 ApplicationData payload: 100 bytes (3*i) mod 256.</summary>
    public static byte[] ServerApplicationData()
    {
        var payload = new byte[100];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(3 * i);
        }

        return payload;
    }

    /// <summary>The entropy that makes <c>ClientHelloBuilder</c> reproduce the §8.3 hello.</summary>
    public static byte[] ClientHelloEntropy() => Bytes(SessionId + GreaseSeeds + ClientX25519Key);

    public static byte[][] Keys(params string[] hexKeys)
    {
        var keys = new byte[hexKeys.Length][];
        for (var i = 0; i < hexKeys.Length; i++)
        {
            keys[i] = Bytes(hexKeys[i]);
        }

        return keys;
    }
}
