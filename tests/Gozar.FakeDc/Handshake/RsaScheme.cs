namespace Gozar.FakeDc.Handshake;

/// <summary>How a client encrypted p_q_inner_data to the DC's RSA key (core.telegram.org/mtproto/auth_key, step 4).</summary>
public enum RsaScheme
{
    /// <summary>The older scheme: SHA-1(data) + data + random bytes, 255 bytes, raised to e (Telethon 1.25).</summary>
    Sha1Padding,

    /// <summary>RSA_PAD: data reversed and hashed with a temporary key under AES-256-IGE, then RSA (GramJS, tdlib).</summary>
    RsaPad,
}
