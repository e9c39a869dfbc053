using System.Numerics;
using System.Security.Cryptography;
using Gozar.FakeDc.Crypto;
using Gozar.FakeDc.Messages;
using Gozar.FakeDc.Tl;

namespace Gozar.FakeDc.Handshake;

/// <summary>
/// The server side of the unencrypted key exchange on one connection (core.telegram.org/mtproto/auth_key):
/// <code>
/// req_pq_multi(nonce)                       → resPQ(nonce, server_nonce, pq, fingerprints)
/// req_DH_params(.., p, q, fp, RSA(inner))    → server_DH_params_ok(.., IGE(tmp key)(SHA-1 + server_DH_inner_data))
/// set_client_DH_params(.., IGE(SHA-1 + client_DH_inner_data)) → dh_gen_ok(.., new_nonce_hash1)
/// </code>
/// Every nonce, p, q, fingerprint and hash is checked as a real DC would; a failed check is a problem (the DC then
/// answers transport error -404 and closes).
/// </summary>
internal sealed class KeyExchange
{
    private const int NonceLength = 16;
    private const int NewNonceLength = 32;
    private const int Sha1Length = 20;
    private const int Sha256Length = 32;
    private const int RsaPadDataLength = 192;
    private const int TempKeyLength = 32;

    // 512 secret bits rather than 2048: clients see only g_a, which is range-checked the same, and the DC's two
    // modular exponentiations get four times faster, which the test run feels.
    private const int SecretExponentLength = 64;

    private readonly DcRsaKey _rsa;
    private readonly IReadOnlyList<long> _foreignFingerprints;
    private readonly bool _stripLeadingZeros;
    private readonly TimeProvider _time;
    private Stage _stage = Stage.ExpectReqPq;
    private byte[] _nonce = [];
    private byte[] _serverNonce = [];
    private byte[] _newNonce = [];
    private uint _p;
    private uint _q;
    private BigInteger _a;
    private byte[] _tmpKey = [];
    private byte[] _tmpIv = [];

    public KeyExchange(DcRsaKey rsa, IReadOnlyList<long> foreignFingerprints, bool stripLeadingZeros, TimeProvider time)
    {
        _rsa = rsa;
        _foreignFingerprints = foreignFingerprints;
        _stripLeadingZeros = stripLeadingZeros;
        _time = time;
    }

    private enum Stage
    {
        ExpectReqPq,
        ExpectReqDhParams,
        ExpectSetClientDhParams,
    }

    /// <summary>The scheme the client used for RSA, known once req_DH_params was accepted.</summary>
    public RsaScheme Scheme { get; private set; }

    public KeyExchangeStep Handle(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new TlReader(body);
            var constructor = reader.ReadConstructor();
            return (constructor, _stage) switch
            {
                (TlIds.ReqPqMulti or TlIds.ReqPq, _) => ResPq(ref reader),
                (TlIds.ReqDhParams, Stage.ExpectReqDhParams) => ServerDhParams(ref reader),
                (TlIds.SetClientDhParams, Stage.ExpectSetClientDhParams) => DhGen(ref reader),
                _ => KeyExchangeStep.Fail($"unencrypted message {constructor:x8} while expecting {_stage}"),
            };
        }
        catch (TlException e)
        {
            return KeyExchangeStep.Fail("malformed key exchange message: " + e.Message);
        }
    }

    private KeyExchangeStep ResPq(ref TlReader reader)
    {
        _nonce = reader.ReadRaw(NonceLength).ToArray();
        _serverNonce = RandomNumberGenerator.GetBytes(NonceLength);
        (_p, _q) = SmallPrimes.NextPair();
        var pq = (ulong)_p * _q;
        _stage = Stage.ExpectReqDhParams;

        // A decoy fingerprint first: a client must pick the key it knows, as with Telegram's several keys.
        var decoy = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));
        var response = new TlWriter()
            .UInt32(TlIds.ResPq)
            .Raw(_nonce)
            .Raw(_serverNonce)
            .Bytes(BigEndian.ToMinimalBytes(pq))
            .VectorHeader(2 + _foreignFingerprints.Count)
            .Int64(decoy);
        foreach (var foreign in _foreignFingerprints)
        {
            response.Int64(foreign);
        }

        response.Int64(_rsa.Fingerprint);
        return KeyExchangeStep.Answer(response.ToArray());
    }

    private KeyExchangeStep ServerDhParams(ref TlReader reader)
    {
        var problem = CheckNonces(ref reader);
        if (problem is not null)
        {
            return KeyExchangeStep.Fail("req_DH_params: " + problem);
        }

        var p = BigEndian.ToInteger(reader.ReadBytes());
        var q = BigEndian.ToInteger(reader.ReadBytes());
        if (p != _p || q != _q)
        {
            return KeyExchangeStep.Fail($"req_DH_params: p, q = {p}, {q}; resPQ had {_p}, {_q}");
        }

        var fingerprint = reader.ReadInt64();
        if (_foreignFingerprints.Contains(fingerprint))
        {
            var length = reader.ReadBytes().Length;
            return length == DcRsaKey.ModulusLength
                ? KeyExchangeStep.Stop(fingerprint)
                : KeyExchangeStep.Fail($"req_DH_params: encrypted_data of {length} bytes for foreign key {fingerprint:x16}");
        }

        if (fingerprint != _rsa.Fingerprint)
        {
            return KeyExchangeStep.Fail($"req_DH_params: unknown key fingerprint {fingerprint}");
        }

        if (!_rsa.TryDecryptRaw(reader.ReadBytes(), out var block))
        {
            return KeyExchangeStep.Fail("req_DH_params: encrypted_data is not below the modulus");
        }

        if (TryOpenRsaPad(block, out var inner))
        {
            Scheme = RsaScheme.RsaPad;
        }
        else if (TryOpenSha1Padding(block, out inner))
        {
            Scheme = RsaScheme.Sha1Padding;
        }
        else
        {
            return KeyExchangeStep.Fail("req_DH_params: encrypted_data opens with neither RSA_PAD nor SHA-1 padding");
        }

        problem = ReadInnerData(inner);
        return problem is null ? KeyExchangeStep.Answer(BuildServerDhParamsOk()) : KeyExchangeStep.Fail("p_q_inner_data: " + problem);
    }

    private KeyExchangeStep DhGen(ref TlReader reader)
    {
        var problem = CheckNonces(ref reader);
        if (problem is not null)
        {
            return KeyExchangeStep.Fail("set_client_DH_params: " + problem);
        }

        var encrypted = reader.ReadBytes();
        if (encrypted.Length % AesIge.BlockSize != 0 || encrypted.Length < Sha1Length + 4)
        {
            return KeyExchangeStep.Fail($"set_client_DH_params: encrypted_data of {encrypted.Length} bytes");
        }

        var plain = AesIge.Decrypt(_tmpKey, _tmpIv, encrypted);
        var inner = new TlReader(plain.AsSpan(Sha1Length));
        if (inner.ReadConstructor() != TlIds.ClientDhInnerData)
        {
            return KeyExchangeStep.Fail("set_client_DH_params: no client_DH_inner_data inside (wrong tmp_aes_key?)");
        }

        problem = CheckNonces(ref inner);
        inner.ReadInt64();
        var gb = BigEndian.ToInteger(inner.ReadBytes());
        var innerLength = inner.Position;
        if (problem is not null)
        {
            return KeyExchangeStep.Fail("client_DH_inner_data: " + problem);
        }

        if (!CryptographicOperations.FixedTimeEquals(SHA1.HashData(plain.AsSpan(Sha1Length, innerLength)), plain.AsSpan(0, Sha1Length))
            || plain.Length - Sha1Length - innerLength >= AesIge.BlockSize)
        {
            return KeyExchangeStep.Fail("client_DH_inner_data: SHA-1 or padding does not match");
        }

        if (!DhGroup.IsAcceptablePublicValue(gb))
        {
            return KeyExchangeStep.Fail("client_DH_inner_data: g_b outside (2^1984, p - 2^1984)");
        }

        var key = new AuthKey(AuthKey.FromSharedSecret(BigInteger.ModPow(gb, _a, DhGroup.Prime), _stripLeadingZeros), ServerSalt());
        _stage = Stage.ExpectReqPq;
        var response = new TlWriter()
            .UInt32(TlIds.DhGenOk)
            .Raw(_nonce)
            .Raw(_serverNonce)
            .Raw(NewNonceHash(key, 1));
        return new KeyExchangeStep(response.ToArray(), key, null);
    }

    private string? CheckNonces(ref TlReader reader)
    {
        if (!reader.ReadRaw(NonceLength).SequenceEqual(_nonce))
        {
            return "nonce differs from req_pq_multi's";
        }

        return reader.ReadRaw(NonceLength).SequenceEqual(_serverNonce) ? null : "server_nonce differs from resPQ's";
    }

    private string? ReadInnerData(byte[] inner)
    {
        var reader = new TlReader(inner);
        var constructor = reader.ReadConstructor();
        if (constructor is TlIds.PqInnerDataTemp or TlIds.PqInnerDataTempDc)
        {
            return "temporary keys are not supported";
        }

        if (constructor is not (TlIds.PqInnerData or TlIds.PqInnerDataDc))
        {
            return $"constructor {constructor:x8}";
        }

        var pq = BigEndian.ToInteger(reader.ReadBytes());
        var p = BigEndian.ToInteger(reader.ReadBytes());
        var q = BigEndian.ToInteger(reader.ReadBytes());
        if (pq != (ulong)_p * _q || p != _p || q != _q)
        {
            return "pq, p or q differ from resPQ's";
        }

        var problem = CheckNonces(ref reader);
        _newNonce = reader.ReadRaw(NewNonceLength).ToArray();
        return problem;
    }

    private static bool TryOpenRsaPad(byte[] block, out byte[] data)
    {
        // key_aes_encrypted = (temp_key XOR SHA-256(aes_encrypted)) || aes_encrypted, 32 + 224 bytes;
        // aes_encrypted = IGE(temp_key, zero IV)(reverse(data_with_padding) || SHA-256(temp_key || data_with_padding)).
        var aesEncrypted = block.AsSpan(TempKeyLength);
        var tempKey = SHA256.HashData(aesEncrypted);
        for (var i = 0; i < TempKeyLength; i++)
        {
            tempKey[i] ^= block[i];
        }

        var dataWithHash = AesIge.Decrypt(tempKey, new byte[AesIge.IvSize], aesEncrypted);
        data = dataWithHash[..RsaPadDataLength];
        data.AsSpan().Reverse();
        var hash = SHA256.HashData([.. tempKey, .. data]);
        return CryptographicOperations.FixedTimeEquals(hash, dataWithHash.AsSpan(RsaPadDataLength, Sha256Length));
    }

    private static bool TryOpenSha1Padding(byte[] block, out byte[] data)
    {
        // 255 bytes SHA-1(data) || data || random, so the 256-byte block starts with a zero byte.
        data = block[(1 + Sha1Length)..];
        if (block[0] != 0)
        {
            return false;
        }

        try
        {
            var length = InnerDataLength(data);
            return CryptographicOperations.FixedTimeEquals(SHA1.HashData(data.AsSpan(0, length)), block.AsSpan(1, Sha1Length));
        }
        catch (TlException)
        {
            return false;
        }
    }

    private static int InnerDataLength(ReadOnlySpan<byte> data)
    {
        var reader = new TlReader(data);
        var constructor = reader.ReadConstructor();
        reader.ReadBytes();
        reader.ReadBytes();
        reader.ReadBytes();
        reader.ReadRaw(NonceLength + NonceLength + NewNonceLength);
        if (constructor is TlIds.PqInnerDataDc or TlIds.PqInnerDataTemp)
        {
            reader.ReadInt32();
        }
        else if (constructor == TlIds.PqInnerDataTempDc)
        {
            reader.ReadInt32();
            reader.ReadInt32();
        }

        return reader.Position;
    }

    private byte[] BuildServerDhParamsOk()
    {
        BigInteger ga;
        do
        {
            _a = BigEndian.ToInteger(RandomNumberGenerator.GetBytes(SecretExponentLength));
            ga = BigInteger.ModPow(DhGroup.Generator, _a, DhGroup.Prime);
        }
        while (!DhGroup.IsAcceptablePublicValue(ga));

        var inner = new TlWriter()
            .UInt32(TlIds.ServerDhInnerData)
            .Raw(_nonce)
            .Raw(_serverNonce)
            .Int32(DhGroup.Generator)
            .Bytes(DhGroup.PrimeBytes)
            .Bytes(BigEndian.ToPaddedBytes(ga, DhGroup.PrimeLength))
            .Int32((int)_time.GetUtcNow().ToUnixTimeSeconds());
        var padded = (Sha1Length + inner.Length + AesIge.BlockSize - 1) / AesIge.BlockSize * AesIge.BlockSize;
        var answer = new byte[padded];
        SHA1.HashData(inner.Written, answer);
        inner.Written.CopyTo(answer.AsSpan(Sha1Length));
        RandomNumberGenerator.Fill(answer.AsSpan(Sha1Length + inner.Length));

        (_tmpKey, _tmpIv) = DeriveTemporaryKey(_serverNonce, _newNonce);
        _stage = Stage.ExpectSetClientDhParams;
        return new TlWriter()
            .UInt32(TlIds.ServerDhParamsOk)
            .Raw(_nonce)
            .Raw(_serverNonce)
            .Bytes(AesIge.Encrypt(_tmpKey, _tmpIv, answer))
            .ToArray();
    }

    /// <summary>
    /// tmp_aes_key = SHA1(new_nonce + server_nonce) + SHA1(server_nonce + new_nonce)[0, 12];
    /// tmp_aes_iv = SHA1(server_nonce + new_nonce)[12, 8] + SHA1(new_nonce + new_nonce) + new_nonce[0, 4].
    /// </summary>
    public static (byte[] Key, byte[] Iv) DeriveTemporaryKey(ReadOnlySpan<byte> serverNonce, ReadOnlySpan<byte> newNonce)
    {
        var newServer = SHA1.HashData([.. newNonce, .. serverNonce]);
        var serverNew = SHA1.HashData([.. serverNonce, .. newNonce]);
        var newNew = SHA1.HashData([.. newNonce, .. newNonce]);
        byte[] key = [.. newServer, .. serverNew.AsSpan(0, 12)];
        byte[] iv = [.. serverNew.AsSpan(12, 8), .. newNew, .. newNonce[..4]];
        return (key, iv);
    }

    /// <summary>new_nonce_hashN = SHA1(new_nonce + N + auth_key_aux_hash)[4, 16].</summary>
    public static byte[] NewNonceHash(ReadOnlySpan<byte> newNonce, AuthKey key, byte number) =>
        SHA1.HashData([.. newNonce, number, .. key.AuxHash])[4..];

    private byte[] NewNonceHash(AuthKey key, byte number) => NewNonceHash(_newNonce, key, number);

    /// <summary>server_salt = new_nonce[0, 8] XOR server_nonce[0, 8].</summary>
    private long ServerSalt() =>
        BitConverter.ToInt64(_newNonce, 0) ^ BitConverter.ToInt64(_serverNonce, 0);
}

/// <summary>
/// What the DC does with one unencrypted message: answer it, and possibly hold a finished key; fail; or stop at a sound
/// req_DH_params for a key it does not hold (<see cref="ForeignKey"/>).
/// </summary>
internal readonly record struct KeyExchangeStep(byte[]? Response, AuthKey? Completed, string? Problem, long? ForeignKey = null)
{
    public static KeyExchangeStep Answer(byte[] response) => new(response, null, null);

    public static KeyExchangeStep Fail(string problem) => new(null, null, problem);

    public static KeyExchangeStep Stop(long foreignKey) => new(null, null, null, foreignKey);
}
