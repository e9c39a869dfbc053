using System.Text;
using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;

namespace Gozar.Protocol.Tests.FakeTls;

public class TlsProfileJsonTests
{
    private const string Valid = """
        {
          "version": 1,
          "source": "example.com:443, SNI example.com, 5 samples, 2026-01-01T00:00:00Z",
          "cipher_suite": "TLS_AES_256_GCM_SHA384",
          "key_share_group": "X25519MLKEM768",
          "server_hello_extensions": ["supported_versions", "key_share"],
          "encrypted_records": [ { "min": 36, "max": 36 }, { "min": 2063, "max": 2063 }, { "min": 95, "max": 97 }, { "min": 69, "max": 69 } ]
        }
        """;

    [Fact]
    public void TryRead_FetchedFile_ReadsEveryField()
    {
        Assert.True(TlsProfileJson.TryRead(Encoding.UTF8.GetBytes(Valid), out var profile, out var problem), problem);

        Assert.Equal(0x1302, profile.CipherSuite);
        Assert.Equal(0x11ec, profile.KeyShareGroup);
        Assert.Equal(ServerHelloExtensionOrder.SupportedVersionsFirst, profile.ExtensionOrder);
        Assert.Equal(
            [RecordLengthRange.Exactly(36), RecordLengthRange.Exactly(2063), new RecordLengthRange(95, 97), RecordLengthRange.Exactly(69)],
            profile.EncryptedRecords);
        Assert.Equal("example.com:443, SNI example.com, 5 samples, 2026-01-01T00:00:00Z", profile.Source);
    }

    [Fact]
    public void TryRead_CommentsTrailingCommasAndCaseOfNames_Accepted()
    {
        var text = """
            // fetched by hand
            { "version": 1, "cipher_suite": "tls_chacha20_poly1305_sha256", "key_share_group": "X25519",
              "server_hello_extensions": ["key_share", "supported_versions"], "encrypted_records": [ { "min": 1, "max": 2 }, ], }
            """;

        Assert.True(TlsProfileJson.TryRead(Encoding.UTF8.GetBytes(text), out var profile, out var problem), problem);
        Assert.Equal(0x1303, profile.CipherSuite);
        Assert.Equal(string.Empty, profile.Source);
    }

    [Property(MaxTest = 200)]
    public void WriteThenTryRead_AnyProfile_RoundTrips(int seed)
    {
        var profile = TlsProfileTests.RandomProfile(new Random(seed));

        var text = TlsProfileJson.Write(profile);

        Assert.True(TlsProfileJson.TryRead(Encoding.UTF8.GetBytes(text), out var read, out var problem), problem);
        Assert.Equal(profile, read);
    }

    [Fact]
    public void Write_BuiltIn_UsesNamesAFetchedFileUses()
    {
        var text = TlsProfileJson.Write(BuiltInTlsProfile.For("example.com"));

        Assert.Contains("\"cipher_suite\": \"TLS_AES_128_GCM_SHA256\"", text, StringComparison.Ordinal);
        Assert.Contains("\"key_share_group\": \"x25519\"", text, StringComparison.Ordinal);
        Assert.Contains("\"supported_versions\",", text, StringComparison.Ordinal);
        Assert.Contains("\"max\": 2042", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "not a TLS profile")]
    [InlineData("null", "not a TLS profile")]
    [InlineData("[1, 2]", "not a TLS profile")]
    [InlineData("{\"version\": 1, \"cipher\": \"x\"}", "not a TLS profile")]
    [InlineData("{\"version\": 2}", "version: must be 1")]
    [InlineData("{\"version\": \"1\"}", "not a TLS profile")]
    public void TryRead_NotAProfile_SaysWhy(string text, string expected)
    {
        Assert.False(TlsProfileJson.TryRead(Encoding.UTF8.GetBytes(text), out _, out var problem));
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"TLS_AES_128_GCM_SHA256\"", "\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"", "cipher_suite:")]
    [InlineData("\"X25519MLKEM768\"", "\"secp256r1\"", "key_share_group:")]
    [InlineData("[\"supported_versions\", \"key_share\"]", "[\"key_share\"]", "server_hello_extensions:")]
    [InlineData("[\"supported_versions\", \"key_share\"]", "[\"key_share\", \"key_share\"]", "server_hello_extensions:")]
    [InlineData("{ \"min\": 95, \"max\": 97 }", "{ \"min\": 98, \"max\": 97 }", "encrypted_records[2]:")]
    [InlineData("{ \"min\": 95, \"max\": 97 }", "{ \"min\": 0, \"max\": 97 }", "encrypted_records[2]:")]
    [InlineData("{ \"min\": 95, \"max\": 97 }", "{ \"max\": 97 }", "encrypted_records[2]:")]
    [InlineData("{ \"min\": 95, \"max\": 97 }", "{ \"min\": 95, \"max\": 16641 }", "encrypted_records[2]:")]
    [InlineData("{ \"min\": 95, \"max\": 97 }", "null", "encrypted_records[2]:")]
    public void TryRead_BadField_NamesIt(string good, string bad, string expected)
    {
        var text = Valid.Replace("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", StringComparison.Ordinal).Replace(good, bad, StringComparison.Ordinal);
        Assert.NotEqual(Valid, text);

        Assert.False(TlsProfileJson.TryRead(Encoding.UTF8.GetBytes(text), out _, out var problem));
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    public void TryRead_NoRecords_NamesThem(string records)
    {
        var text = $$"""{ "version": 1, "cipher_suite": "TLS_AES_128_GCM_SHA256", "key_share_group": "x25519", "server_hello_extensions": ["key_share", "supported_versions"], "encrypted_records": {{records}} }""";

        Assert.False(TlsProfileJson.TryRead(Encoding.UTF8.GetBytes(text), out _, out var problem));
        Assert.StartsWith("encrypted_records:", problem, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300)]
    public bool TryRead_RandomBytes_NeverThrows(byte[] bytes) =>
        TlsProfileJson.TryRead(bytes, out var profile, out var problem) ? profile is not null : problem is not null;
}
