using Gozar.Protocol.FakeTls;
using Gozar.Protocol.Obfuscation;
using Gozar.Protocol.ProxyProtocol;

namespace Gozar.Fuzz;

/// <summary>
/// The parsers that read bytes from the network before anyone is authenticated, each wrapped so that any input must
/// end in its documented result value. An exception escaping a target is a finding. The corpus regression test in
/// tests/Gozar.Protocol.Tests links this file and runs every file under fuzz/corpus through the same targets.
/// </summary>
public static class FuzzTargets
{
    public const string ClientHelloName = "clienthello";
    public const string Obfuscated2Name = "obfuscated2";
    public const string ProxyProtocolName = "proxyprotocol";

    /// <summary>The spec §8.1 and §8.3 key and a second one, so seed vectors get past the HMAC and the key loop runs.</summary>
    private static readonly byte[][] Keys =
    [
        Convert.FromHexString("ffeeddccbbaa99887766554433221100"),
        Convert.FromHexString("00112233445566778899aabbccddeeff"),
    ];

    private static readonly string[] Domains = ["example.com", "example.org"];

    /// <summary>The §8.3 hello's time plus three seconds, so the seed vector is inside the clock window.</summary>
    private const long Now = 1700000003;

    public static IReadOnlyList<string> Names { get; } = [ClientHelloName, Obfuscated2Name, ProxyProtocolName];

    public static Action<byte[]>? Find(string name) => name switch
    {
        ClientHelloName => ClientHello,
        Obfuscated2Name => Obfuscated2Init,
        ProxyProtocolName => ProxyProtocol,
        _ => null,
    };

    /// <summary>Assembly from fragmented records, then validation of what was assembled and of the raw input.</summary>
    public static void ClientHello(byte[] input)
    {
        var assembled = new byte[ClientHelloAssembler.MaxAssembledLength];
        var status = ClientHelloAssembler.TryAssemble(input, assembled, out var consumed, out var written, out var needed);
        Check(Enum.IsDefined(status) && consumed >= 0 && consumed <= input.Length && written >= 0 && written <= assembled.Length && needed >= 0);
        var window = ClockSkewWindow.Default;
        var fromAssembled = ClientHelloValidator.Validate(assembled.AsSpan(0, written), Keys, Now, window, Domains);
        Check(Enum.IsDefined(fromAssembled.Outcome) && fromAssembled.KeyIndex < Keys.Length);
        var fromRaw = ClientHelloValidator.Validate(input, Keys, Now, window, Domains);
        Check(Enum.IsDefined(fromRaw.Outcome) && fromRaw.KeyIndex < Keys.Length);
    }

    public static void Obfuscated2Init(byte[] input)
    {
        if (Obfuscated2.TryAcceptClient(input, Keys, out var init))
        {
            Check(Enum.IsDefined(init.Tag) && init.KeyIndex >= 0 && init.KeyIndex < Keys.Length);
            init.Decryptor.Dispose();
            init.Encryptor?.Dispose();
        }
    }

    /// <summary>Both with the longest header the format allows and with the smallest max_header Gozar accepts.</summary>
    public static void ProxyProtocol(byte[] input)
    {
        foreach (var max in (ReadOnlySpan<int>)[ProxyHeader.MaxV2Length, 256])
        {
            var header = ProxyHeader.Parse(input, max);
            Check(Enum.IsDefined(header.Status)
                && (header.Status == ProxyHeaderStatus.Parsed ? header.Length > 0 && header.Length <= input.Length : header.Length == 0));
        }
    }

    /// <summary>A broken invariant is a finding like a crash: the fuzzer only sees exceptions.</summary>
    private static void Check(bool invariant)
    {
        if (!invariant)
        {
            throw new InvalidOperationException("A parser returned an inconsistent result.");
        }
    }
}
