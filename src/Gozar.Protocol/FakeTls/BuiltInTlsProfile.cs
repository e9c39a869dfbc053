namespace Gozar.Protocol.FakeTls;

/// <summary>
/// The profile used when the operator has fetched none: a common TLS 1.3 nginx site, nginx 1.22 with OpenSSL 3.0
/// (Debian 12), http2 on, default TLS settings, serving a Let's Encrypt-style ECDSA chain for the proxy's domain.
/// </summary>
/// <remarks>
/// Measured with <c>gozar tls-profile fetch</c> (a current tdlib hello: SNI, ALPN h2 + http/1.1, X25519MLKEM768 and
/// x25519 shares) against that nginx on loopback, 20 samples. OpenSSL 3.0 knows no ML-KEM, so it answers x25519;
/// it picks the client's first suite (nginx leaves ssl_prefer_server_ciphers off), TLS_AES_128_GCM_SHA256; it
/// writes supported_versions before key_share; and it sends each encrypted handshake message as its own record:
/// <code>
/// record                payload  made of
/// EncryptedExtensions   36       19-byte message (server_name ack, ALPN "h2") + content type 1 + GCM tag 16
/// Certificate           2020+2D  leaf 871+2D + intermediate 1114, with 3-byte lengths, 2-byte empty extensions,
///                                4-byte message header, 1-byte context, 3-byte list length; + 17
/// CertificateVerify     95..97   ECDSA P-256 signature, DER 70..72 bytes by its leading zeros, + 8 + 17
/// Finished              53       32-byte SHA-256 verify_data + 4 + 17
/// </code>
/// D is the length of the domain name. The chain models what Let's Encrypt issues for an ECDSA key: a P-256 leaf
/// (CN and one DNS name = the domain, two embedded SCTs, CRL and CA-issuer URLs, ecdsa-with-SHA384 signature by the
/// intermediate) and the E5 intermediate (a P-384 key signed with RSA-4096 by ISRG Root X1: 1114 bytes here, 1115
/// for the real E5). For www.example.com with two DNS names the measured flight was 36, 2063, 95..97, 53. So the
/// one ApplicationData record is 2219 + 2D .. 2221 + 2D bytes (2241..2243 for example.com): stable per domain, as a
/// real site's certificate is, and different between proxies with different domains.
/// </remarks>
public static class BuiltInTlsProfile
{
    public const int EncryptedExtensionsRecord = 36;
    public const int CertificateRecordWithoutDomain = 2020;
    public const int CertificateVerifyMinimum = 95;
    public const int CertificateVerifyMaximum = 97;
    public const int FinishedRecord = 53;

    /// <summary>The built-in profile for a site named <paramref name="domain"/> (the proxy's first TLS domain).</summary>
    public static TlsProfile For(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var certificate = CertificateRecordWithoutDomain + (2 * domain.Length);
        return new TlsProfile(
            TlsWire.CipherAes128GcmSha256,
            ServerHelloExtensionOrder.SupportedVersionsFirst,
            TlsWire.GroupX25519,
            [
                RecordLengthRange.Exactly(EncryptedExtensionsRecord),
                RecordLengthRange.Exactly(certificate),
                new RecordLengthRange(CertificateVerifyMinimum, CertificateVerifyMaximum),
                RecordLengthRange.Exactly(FinishedRecord),
            ],
            $"built-in: nginx 1.22 with OpenSSL 3.0 and an ECDSA P-256 chain for {domain}");
    }
}
